package dev.jlens.spark;

import dev.jlens.JlensException;
import dev.jlens.dataset.Evaluation;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code eval} on Spark, with the options of {@code jlens eval}. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a model on a dataset: next-token loss and accuracy on a text corpus, induction loss on repeated tokens, "
                + "logit difference and accuracy on prompts with answers (IOI).")
final class SparkEvalCommand implements Callable<Integer> {
    @ParentCommand
    SparkMain parent;

    @Option(names = "--model", required = true, paramLabel = "M",
            description = "A folder every node sees, a known name or repo id in each node's Hugging Face cache, or a folder shipped with --archives.")
    String model;

    @Option(names = "--dataset", required = true, paramLabel = "C",
            description = "A text corpus (.txt, or a text column of .jsonl/.csv/.parquet), a tokens dataset (jlens dataset induction) or a prompt dataset.")
    String dataset;

    @Option(names = "--column", paramLabel = "NAME", description = "The text column of a corpus (default text).")
    String column;

    @Option(names = "--context", paramLabel = "TOKENS", description = "Tokens per sequence of a corpus, BOS included (default: the model's n_ctx, at most 1024).")
    Integer context;

    @Option(names = "--max-sequences", paramLabel = "N", description = "Evaluate at most this many sequences or prompts.")
    Long maxRows;

    @Option(names = "--threads", paramLabel = "THREADS", description = "Not used on Spark: tasks at once are the executors' cores (spark.executor.cores).")
    Integer threads;

    @Option(names = "--no-bos", description = "No BOS token (before each sequence, or over the first token of repeated tokens).")
    boolean noBos;

    @Override
    public Integer call() {
        if (threads != null) throw new JlensException("--threads: on Spark the tasks at once are the executors' cores; set spark.executor.cores instead");
        if (maxRows != null && maxRows < 1) throw new JlensException("--max-sequences must be 1 or more, got " + maxRows);
        if (context != null && context < 2) throw new JlensException("--context must be 2 or more, got " + context);
        SparkSession spark = SparkSession.builder().appName("jlens eval").getOrCreate();
        parent.quietLogging(spark);
        Dataset<Row> data = Tables.read(spark, dataset, false);
        List<Evaluation.Sums> rows = SparkEvaluation.rows(ModelRef.of(model), data, dataset, column, context, maxRows == null ? Long.MAX_VALUE : maxRows, !noBos);
        if (rows.isEmpty()) throw new JlensException(dataset + ": has nothing to evaluate (no rows, or no tokens)");
        Evaluation.Sums s = Evaluation.total(rows);
        var o = parent.out;
        switch (SparkEvaluation.kind(data)) {
            case TEXT -> o.printf(Locale.ROOT, "loss %.6f  accuracy %.6f  (%d next tokens in %d sequences)%n", s.mean(), s.accuracy(), s.items(), rows.size());
            case TOKENS -> o.printf(Locale.ROOT, "induction_loss %.6f  (%d tokens of second halves)%n", s.mean(), s.items());
            case PROMPTS -> o.printf(Locale.ROOT, "logit_diff %.6f  accuracy %.6f  (%d prompts)%n", s.mean(), s.accuracy(), s.items());
        }
        o.flush();
        return 0;
    }
}
