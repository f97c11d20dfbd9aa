package dev.jlens.dataset;

import java.nio.file.Path;
import java.util.List;

/**
 * A batch result's summary, computed by SQL over its table: the number of prompts, the mean and standard deviation
 * (sample) of the clean and corrupted logit differences, and the accuracy (the share of prompts whose correct answer
 * wins), over all prompts and per template when the dataset has a {@code template} column.
 */
public final class BatchSummary {
    /** The measures, as SQL over a result table (DuckDB's and Spark's SQL alike). */
    public static final String MEASURES = "count(*) AS prompts, avg(logit_diff) AS mean_logit_diff, stddev_samp(logit_diff) AS std_logit_diff, "
            + "avg(corrupted_logit_diff) AS mean_corrupted, stddev_samp(corrupted_logit_diff) AS std_corrupted, "
            + "avg(CASE WHEN logit_diff > 0 THEN 1.0 ELSE 0.0 END) AS accuracy";

    private BatchSummary() {}

    public static Sql.Result overall(Path table) {
        return Sql.query("SELECT " + MEASURES + " FROM t", List.of(table));
    }

    /** Per template, or null when the table has no {@code template} column. */
    public static Sql.Result perTemplate(Path table) {
        if (!ParquetTable.columns(table).contains("template")) return null;
        return Sql.query("SELECT template, " + MEASURES + " FROM t GROUP BY template ORDER BY template", List.of(table));
    }
}
