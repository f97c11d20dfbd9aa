package dev.jlens.cli;

import dev.jlens.dataset.Sql;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;

/** {@code jlens sql}: a quick SQL look at result tables. */
@Command(name = "sql", mixinStandardHelpOptions = true,
        description = "Run a SQL query (DuckDB) over Parquet files: each file is a view named after it (R.parquet is R), the first also t.")
final class SqlCommand extends JlensSubcommand implements Runnable {
    @Parameters(index = "0", paramLabel = "QUERY", description = "The query, e.g. \"SELECT template, avg(logit_diff) FROM t GROUP BY 1\".")
    String query;

    @Parameters(index = "1..*", paramLabel = "FILE", description = "Parquet files.")
    List<Path> files = List.of();

    @Override
    public void run() {
        streams().out().print(Sql.query(query, files).toText());
        streams().out().flush();
    }
}
