package dev.jlens.spark;

import dev.jlens.JlensException;
import dev.jlens.dataset.TopActivationsReducer;
import dev.jlens.dataset.ActivationExport;
import dev.jlens.dataset.ActivationShards;
import dev.jlens.dataset.CorpusRows;
import dev.jlens.dataset.PromptAnalysisJob;
import dev.jlens.dataset.TokenRow;
import dev.jlens.dataset.TopActivations;
import dev.jlens.io.Json;
import dev.jlens.dataset.PromptRow;
import dev.jlens.dataset.Rows;
import dev.jlens.dataset.ResultColumns;
import dev.jlens.model.HookedTransformer;
import dev.jlens.patching.PatchKind;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * jlens' dataset jobs on Spark: the same per-batch functions as the local engine ({@link dev.jlens.dataset.LocalRunner}),
 * run by Spark over shards of rows, each executor loading the model once ({@link ExecutorModels}).
 */
public final class JlensSpark {
    private JlensSpark() {}

    /**
     * How {@link #batch} runs: BOS prepended or not, the patching sweeps and attribution estimates (each kind's
     * gradient estimate of its sweep) per prompt, whether rows that cannot be
     * analyzed give an {@code error} instead of failing the job, and the rows per shard (per task).
     */
    public record BatchOptions(boolean prependBos, List<PatchKind> patching, List<PatchKind> attribution, boolean skipBadRows, int shardSize) {
        public BatchOptions {
            patching = List.copyOf(patching);
            attribution = List.copyOf(attribution);
            if (shardSize < 1) throw new JlensException("--shard-size must be 1 or more, got " + shardSize);
        }

        /** BOS prepended, no sweeps, bad rows failing the job, 64 rows per shard: {@code jlens batch}'s defaults. */
        public static BatchOptions defaults() {
            return new BatchOptions(true, List.of(), List.of(), false, 64);
        }

        /** These options with the patching sweeps {@code kinds}. */
        public BatchOptions withPatching(List<PatchKind> kinds) {
            return new BatchOptions(prependBos, kinds, attribution, skipBadRows, shardSize);
        }

        /** These options with {@code rows} rows per shard (per task). */
        public BatchOptions withShardSize(int rows) {
            return new BatchOptions(prependBos, patching, attribution, skipBadRows, rows);
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
        PromptAnalysisJob described = new PromptAnalysisJob(model.model(), options.prependBos(), options.patching(), options.attribution(), options.skipBadRows());
        List<String> columns = new ArrayList<>(List.of(ResultColumns.ROW, PromptAnalysisJob.PROMPT, PromptAnalysisJob.CORRECT,
                PromptAnalysisJob.INCORRECT, PromptAnalysisJob.CORRUPTED_PROMPT));
        columns.addAll(reader.extraColumns());
        ResultColumns types = described.columns();
        for (String c : types.declared().keySet()) if (!columns.contains(c)) columns.add(c);
        ResultRows writer = new ResultRows(columns, types);
        boolean prependBos = options.prependBos(), skip = options.skipBadRows();
        List<PatchKind> patching = options.patching(), attribution = options.attribution();
        JavaRDD<Row> results = Shards.of(prompts.javaRDD(), options.shardSize()).mapPartitions(shard -> {
            HookedTransformer m = ExecutorModels.get(model);
            PromptAnalysisJob job = PromptAnalysisJob.on(m, prependBos, patching, attribution, skip);
            return Rows.map(shard, (Tuple2<Long, Row> r) -> {
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

    /**
     * How the corpus jobs ({@link #activations}, {@link #topActivations}) read a corpus, as {@code jlens activations}
     * does: the text column (null: {@code text}), the tokens per row (null: the model's n_ctx, at most 1024), at most
     * {@code maxTokens} tokens in whole rows (null: all), the rows per forward pass, and BOS before each row or not.
     */
    public record Corpus(String column, Integer context, Long maxTokens, int batchSize, boolean prependBos) {
        public Corpus {
            if (batchSize < 1) throw new JlensException("--batch-size must be 1 or more, got " + batchSize);
            if (maxTokens != null && maxTokens < 1) throw new JlensException("--max-tokens must be 1 or more, got " + maxTokens);
        }

        /** Column text, the model's context, all tokens, 4 rows per batch, BOS before each row: {@code jlens activations}' defaults. */
        public static Corpus defaults() {
            return new Corpus(null, null, null, 4, true);
        }

        /** These options with rows of {@code tokens} tokens. */
        public Corpus withContext(int tokens) {
            return new Corpus(column, tokens, maxTokens, batchSize, prependBos);
        }

        /** These options with {@code rows} rows per forward pass. */
        public Corpus withBatchSize(int rows) {
            return new Corpus(column, context, maxTokens, rows, prependBos);
        }
    }

    /** A corpus' rows for a model: what the driver learned of the model, the tokens per row, the rows in shards. */
    private record CorpusRun(ModelFacts facts, int context, Shards.Sharded<TokenRow> rows) {}

    private static CorpusRun corpusRows(ModelFacts facts, ModelRef model, Dataset<Row> corpus, String source, Corpus options, int shardSize) {
        int ctx = CorpusRows.context(options.context(), facts.nCtx(), options.maxTokens());
        Shards.Sharded<TokenRow> rows = SparkCorpus.tokenRows(corpus, source, options.column(), model, ctx, options.prependBos(),
                CorpusRows.maxRows(options.maxTokens(), ctx), shardSize);
        if (rows.count() == 0) throw new JlensException(source + ": has no tokens to run");
        return new CorpusRun(facts, ctx, rows);
    }

    /**
     * {@code jlens activations} on Spark: the activations of the hook points {@code hooks} matches in full, for every
     * row of tokens of {@code corpus} (a {@code text} column, or {@code tokens}), written to the folder {@code out}
     * as the local engine writes it: the same shard files, byte for byte, of {@code shardSize} rows each, and its
     * {@code manifest.json}, which is returned. {@code out} is written beside it and moved into place (replacing it)
     * once every shard is done. The model is loaded by the executors only.
     */
    public static Json.Obj activations(SparkSession spark, ModelRef model, Dataset<Row> corpus, Corpus options, String hooks, int shardSize, String out) {
        return activations(spark, model, corpus, "the dataset", options, hooks, shardSize, out);
    }

    static Json.Obj activations(SparkSession spark, ModelRef model, Dataset<Row> corpus, String source, Corpus options, String hooks, int shardSize, String out) {
        if (shardSize < 1) throw new JlensException("--shard-size must be 1 or more, got " + shardSize);
        ModelFacts facts = ModelFacts.of(spark, model);
        ActivationExport.checkMatches(hooks, facts.hookPoints());
        CorpusRun run = corpusRows(facts, model, corpus, source, options, shardSize);
        return SparkActivations.export(spark, model, run.rows(), hooks, options.batchSize(),
                ActivationShards.about(facts.name(), run.context(), options.prependBos()), out);
    }

    /**
     * {@code jlens top-activations} on Spark: for every unit of {@code hook} (a neuron, an SAE feature of a model
     * {@link ModelRef#withSaes with SAEs}), its top {@code k} activations over {@code corpus}, with where they are and
     * their context: the local engine's table, row for row, ordered by unit and rank. Each task keeps its shard's top
     * K per unit and Spark ranks them together; nothing else comes to the driver. The model's facts and the corpus'
     * rows are counted at once (small jobs); the table itself is lazy, as any Dataset.
     */
    public static Dataset<Row> topActivations(SparkSession spark, ModelRef model, Dataset<Row> corpus, Corpus options, String hook, int k) {
        return topActivations(spark, model, corpus, "the dataset", options, hook, k).table();
    }

    /** The top-activations table and the rows of tokens it ranks. */
    record TopActivationsRun(Dataset<Row> table, long rows) {}

    static TopActivationsRun topActivations(SparkSession spark, ModelRef model, Dataset<Row> corpus, String source, Corpus options, String hook, int k) {
        if (k < 1) throw new JlensException("--k must be 1 or more, got " + k);
        ModelFacts facts = ModelFacts.of(spark, model);
        TopActivations.checkHook(hook, facts.name(), facts.hookPoints(), !model.saes().isEmpty());
        CorpusRun run = corpusRows(facts, model, corpus, source, options, TopActivationsReducer.rowsPerShard(options.batchSize()));
        return new TopActivationsRun(SparkTopActivations.table(spark, model, run.rows(), hook, k, options.batchSize()), run.rows().count());
    }
}
