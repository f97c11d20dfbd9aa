package dev.jlens.spark;

import dev.jlens.dataset.ResultColumns;
import dev.jlens.dataset.TokenRow;
import dev.jlens.dataset.TopActivations;
import dev.jlens.dataset.TopActivationsReducer;
import dev.jlens.model.HookedTransformer;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.functions;

import java.util.ArrayList;
import java.util.List;

import static dev.jlens.dataset.TopActivationsReducer.CONTEXT;
import static dev.jlens.dataset.TopActivationsReducer.CONTEXT_POSITION;
import static dev.jlens.dataset.TopActivationsReducer.CONTEXT_TOKENS;
import static dev.jlens.dataset.TopActivationsReducer.POSITION;
import static dev.jlens.dataset.TopActivationsReducer.RANK;
import static dev.jlens.dataset.TopActivationsReducer.TOKEN;
import static dev.jlens.dataset.TopActivationsReducer.UNIT;
import static dev.jlens.dataset.TopActivationsReducer.VALUE;

/**
 * {@code jlens top-activations} on Spark, reduced by Spark: each task runs its shard in the local engine's batches
 * through {@link TopActivations} and keeps its shard's top K per unit ({@link TopActivationsReducer}, with each entry's
 * context); Spark then ranks every shard's entries of a unit together and keeps the first K. The ranking is the
 * reducer's: value, highest first, then row, then position (Spark orders floats as Java's {@code >} does, -0.0 equal
 * to 0.0, and a NaN never reaches it), so the table is the local engine's, row for row. Only the table comes together.
 */
final class SparkTopActivations {
    /** The table's columns, in the local engine's order. */
    static final List<String> COLUMNS = List.of(ResultColumns.ROW, UNIT, RANK, VALUE, POSITION, TOKEN, CONTEXT, CONTEXT_TOKENS, CONTEXT_POSITION);

    private SparkTopActivations() {}

    /** The top {@code k} of every unit of {@code hook} over {@code rows}, ordered by unit and rank. */
    static Dataset<Row> table(SparkSession spark, ModelRef model, Shards.Sharded<TokenRow> rows, String hook, int k, int batchSize) {
        ResultRows writer = new ResultRows(COLUMNS, TopActivationsReducer.columns());
        JavaRDD<Row> shardTops = rows.rows().mapPartitions(it -> {
            List<TokenRow> shardRows = SparkCorpus.drain(it);
            List<Row> out = new ArrayList<>();
            if (shardRows.isEmpty()) return out.iterator();
            HookedTransformer m = ExecutorModels.get(model);
            TopActivations f = TopActivations.on(m, hook, k);
            TopActivationsReducer shard = new TopActivationsReducer(k);
            for (List<TokenRow> batch : SparkCorpus.batches(shardRows, batchSize)) shard.write(0, f.apply(batch));
            for (var entry : shard.table(m.tokenizer())) out.add(writer.toRow(entry));
            return out.iterator();
        }, true);
        Column rank = functions.row_number().over(Window.partitionBy(UNIT).orderBy(functions.col(VALUE).desc(), functions.col(ResultColumns.ROW), functions.col(POSITION)))
                .minus(1);
        Column[] columns = COLUMNS.stream().map(functions::col).toArray(Column[]::new);
        return spark.createDataFrame(shardTops, writer.schema()).withColumn(RANK, rank).filter(functions.col(RANK).lt(k)).select(columns)
                .orderBy(UNIT, RANK);
    }
}
