package dev.jlens.spark;

import dev.jlens.JlensException;
import dev.jlens.dataset.DatasetKind;
import dev.jlens.dataset.Evaluation;
import dev.jlens.dataset.InductionDataset;
import dev.jlens.dataset.PromptDataset;
import dev.jlens.dataset.PromptRow;
import dev.jlens.dataset.TokenizeAndConcatenate;
import dev.jlens.model.HookedTransformer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * {@code jlens eval} on Spark: the same per-row sums as the local engine ({@link Evaluation}), over shards run by
 * Spark. A corpus is cut into shards of {@link TokenizeAndConcatenate#DOCUMENTS_PER_GROUP} documents, the groups
 * {@code tokenize_and_concatenate} joins, so each shard gives the rows the local engine gets from that group;
 * prompts go in batches of eight from each shard's start, as the local engine batches them. Each row's sums (three
 * numbers) come back to the driver in row order and are added there in that order, so the totals are the local
 * engine's to the last bit.
 */
final class SparkEvaluation {
    static final int ROWS_PER_SHARD = 64, PROMPTS_PER_BATCH = 8;

    private SparkEvaluation() {}

    static DatasetKind kind(Dataset<Row> data) {
        List<String> columns = List.of(data.columns());
        if (columns.contains(InductionDataset.TOKENS)) return DatasetKind.TOKENS;
        if (columns.contains(PromptDataset.PROMPT) && columns.contains(PromptDataset.ANSWERS)) return DatasetKind.PROMPTS;
        return DatasetKind.TEXT;
    }

    /** The per-row sums in row order; {@code context} null means the model's n_ctx, at most 1024. */
    static List<Evaluation.Sums> rows(ModelRef model, Dataset<Row> data, String source, String column, Integer context, long maxRows, boolean prependBos) {
        return switch (kind(data)) {
            case TEXT -> {
                List<Evaluation.Sums> all = Shards.of(SparkCorpus.documents(data, source, column), TokenizeAndConcatenate.DOCUMENTS_PER_GROUP).mapPartitions(group -> {
                    HookedTransformer m = ExecutorModels.get(model);
                    int ctx = context(m, context);
                    List<Evaluation.Sums> out = new ArrayList<>();
                    Iterator<String> documents = dev.jlens.dataset.Rows.map(group, Tuple2::_2);
                    try (TokenizeAndConcatenate rows = new TokenizeAndConcatenate(documents, () -> {}, m.tokenizer(), ctx, prependBos)) {
                        var f = Evaluation.nextToken(m, 0);
                        while (rows.hasNext()) out.addAll(f.apply(List.of(rows.next().tokens())));
                    }
                    return out.iterator();
                }, true).collect();
                yield all.size() > maxRows ? all.subList(0, (int) maxRows) : all;
            }
            case TOKENS -> {
                int at = data.schema().fieldIndex(InductionDataset.TOKENS);
                yield Shards.of(data.javaRDD(), ROWS_PER_SHARD, maxRows).mapPartitions(shard -> {
                    HookedTransformer m = ExecutorModels.get(model);
                    var f = Evaluation.induction(m, prependBos);
                    List<Evaluation.Sums> out = new ArrayList<>();
                    while (shard.hasNext()) {
                        Tuple2<Long, Row> r = shard.next();
                        out.addAll(f.apply(List.of(SparkCorpus.tokens(source, r._1(), r._2(), at))));
                    }
                    return out.iterator();
                }, true).collect();
            }
            case PROMPTS -> {
                PromptRows reader = new PromptRows(source, data.schema());
                yield Shards.of(data.javaRDD(), ROWS_PER_SHARD, maxRows).mapPartitions(shard -> {
                    HookedTransformer m = ExecutorModels.get(model);
                    var f = Evaluation.logitDiff(m, prependBos);
                    List<Evaluation.Sums> out = new ArrayList<>();
                    List<PromptRow> batch = new ArrayList<>();
                    while (shard.hasNext()) {
                        Tuple2<Long, Row> r = shard.next();
                        batch.add(reader.read(r._1(), r._2()));
                        if (batch.size() == PROMPTS_PER_BATCH || !shard.hasNext()) {
                            out.addAll(f.apply(batch));
                            batch = new ArrayList<>();
                        }
                    }
                    return out.iterator();
                }, true).collect();
            }
        };
    }

    private static int context(HookedTransformer m, Integer context) {
        int ctx = context != null ? context : Math.min(m.cfg().nCtx(), 1024);
        if (ctx < 2 || ctx > m.cfg().nCtx()) throw new JlensException("--context must be between 2 and the model's n_ctx " + m.cfg().nCtx() + ", got " + ctx);
        return ctx;
    }
}
