package dev.jlens.spark;

import dev.jlens.JlensException;
import dev.jlens.dataset.PromptAnalysisJob;
import dev.jlens.dataset.PromptRow;
import dev.jlens.dataset.ResultColumns;
import dev.jlens.model.HookedTransformer;
import dev.jlens.patching.PatchKind;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * jlens' dataset jobs on Spark: the same per-batch functions as the local engine ({@link dev.jlens.dataset.LocalRunner}),
 * run by Spark over shards of rows, each executor loading the model once ({@link ExecutorModels}).
 */
public final class JlensSpark {
    private JlensSpark() {}

    /**
     * How {@link #batch} runs: BOS prepended or not, the patching sweeps per prompt, whether rows that cannot be
     * analyzed give an {@code error} instead of failing the job, and the rows per shard (per task).
     */
    public record BatchOptions(boolean prependBos, List<PatchKind> patching, boolean skipBadRows, int shardSize) {
        public BatchOptions {
            patching = List.copyOf(patching);
            if (shardSize < 1) throw new JlensException("--shard-size must be 1 or more, got " + shardSize);
        }

        public static BatchOptions defaults() {
            return new BatchOptions(true, List.of(), false, 64);
        }

        public BatchOptions withPatching(List<PatchKind> kinds) {
            return new BatchOptions(prependBos, kinds, skipBadRows, shardSize);
        }

        public BatchOptions withSkipBadRows(boolean skip) {
            return new BatchOptions(prependBos, patching, skip, shardSize);
        }

        public BatchOptions withShardSize(int rows) {
            return new BatchOptions(prependBos, patching, skipBadRows, rows);
        }
    }

    /**
     * {@code jlens batch} on Spark: the seed's analysis of every row of {@code prompts} (columns {@code prompt},
     * {@code answers} [correct, incorrect], optionally {@code corrupted_prompt}; others carried through as text),
     * one result row each with the columns and types of the local engine's table, plus {@code error}: null, or why
     * the row could not be analyzed (only with {@link BatchOptions#skipBadRows()}; otherwise such a row fails the
     * job). The rows come out in shards of consecutive rows; {@code row} numbers them from 0 in the input's order.
     * Lazy, as any Dataset: nothing runs until it is written or counted.
     */
    public static Dataset<Row> batch(SparkSession spark, ModelRef model, Dataset<Row> prompts, BatchOptions options) {
        return batch(spark, model, prompts, "the dataset", options);
    }

    static Dataset<Row> batch(SparkSession spark, ModelRef model, Dataset<Row> prompts, String source, BatchOptions options) {
        PromptRows reader = new PromptRows(source, prompts.schema());
        PromptAnalysisJob described = new PromptAnalysisJob(model.model(), options.prependBos(), options.patching(), options.skipBadRows());
        List<String> columns = new ArrayList<>(List.of(ResultColumns.ROW, PromptAnalysisJob.PROMPT, PromptAnalysisJob.CORRECT,
                PromptAnalysisJob.INCORRECT, PromptAnalysisJob.CORRUPTED_PROMPT));
        columns.addAll(reader.extraColumns());
        ResultColumns types = described.columns();
        for (String c : types.declared().keySet()) if (!columns.contains(c)) columns.add(c);
        ResultRows writer = new ResultRows(columns, types);
        boolean prependBos = options.prependBos(), skip = options.skipBadRows();
        List<PatchKind> patching = options.patching();
        JavaRDD<Row> results = Shards.of(prompts.javaRDD(), options.shardSize()).mapPartitions(shard -> {
            HookedTransformer m = ExecutorModels.get(model);
            PromptAnalysisJob job = PromptAnalysisJob.on(m, prependBos, patching, skip);
            return map(shard, (Tuple2<Long, Row> r) -> {
                PromptRow row;
                try {
                    row = reader.read(r._1(), r._2());
                } catch (dev.jlens.dataset.BadRow e) {
                    if (!skip) throw e;
                    return writer.toRow(Map.of(ResultColumns.ROW, r._1(), ResultColumns.ERROR, e.getMessage()));
                }
                return writer.toRow(job.apply(List.of(row)).getFirst());
            });
        }, true);
        return spark.createDataFrame(results, writer.schema());
    }

    /**
     * {@code jlens eval} on Spark, TransformerLens' evaluations: on a text corpus (a {@code text} column, or the one
     * named) the next-token loss and accuracy over {@code tokenize_and_concatenate} rows of {@code context} tokens
     * (null: the model's n_ctx, at most 1024); on a {@code tokens} column the induction loss; on prompts with answers
     * the IOI logit difference and accuracy. At most {@code maxRows} sequences or prompts (Long.MAX_VALUE: all).
     * The sums equal the local engine's.
     */
    public static dev.jlens.dataset.Evaluation.Sums eval(ModelRef model, Dataset<Row> data, String column, Integer context, long maxRows, boolean prependBos) {
        List<dev.jlens.dataset.Evaluation.Sums> rows = SparkEvaluation.rows(model, data, "the dataset", column, context, maxRows, prependBos);
        return dev.jlens.dataset.Evaluation.total(rows);
    }

    /** What {@link #batchToParquet} wrote: the table's rows, the rows skipped as bad, and why the first was. */
    public record BatchRun(long rows, long skipped, String firstSkipped) {}

    /**
     * {@link #batch} written as a Parquet folder {@code out} (one file per shard; written beside it and moved into
     * place once every task is done, replacing it if it exists), as the local engine writes its table: the rows that could be analyzed, without
     * the {@code error} column.
     */
    public static BatchRun batchToParquet(SparkSession spark, ModelRef model, Dataset<Row> prompts, String source, BatchOptions options, String out) {
        Dataset<Row> results = batch(spark, model, prompts, source, options);
        org.apache.spark.util.CollectionAccumulator<String> errors = spark.sparkContext().collectionAccumulator("jlens bad rows");
        int errorColumn = results.schema().fieldIndex(ResultColumns.ERROR);
        Dataset<Row> good = results.filter((org.apache.spark.api.java.function.FilterFunction<Row>) r -> {
            if (r.isNullAt(errorColumn)) return true;
            errors.add(r.getLong(0) + "\t" + r.getString(errorColumn));
            return false;
        }).drop(ResultColumns.ERROR);
        Tables.writeWhole(spark, good, out);
        long rows = spark.read().parquet(out).count();
        long total = prompts.count();
        String first = null;
        long firstRow = Long.MAX_VALUE;
        for (String e : errors.value()) {
            int tab = e.indexOf('\t');
            long row = Long.parseLong(e.substring(0, tab));
            if (row < firstRow) {
                firstRow = row;
                first = e.substring(tab + 1);
            }
        }
        return new BatchRun(rows, total - rows, first);
    }

    static <A, B> Iterator<B> map(Iterator<A> in, java.util.function.Function<A, B> f) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return in.hasNext();
            }

            @Override
            public B next() {
                return f.apply(in.next());
            }
        };
    }
}
