package dev.jlens.spark;

import dev.jlens.dataset.BatchSummary;
import dev.jlens.dataset.Sql;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.util.ArrayList;
import java.util.List;

/** A batch table's summary (as {@link BatchSummary}: means, spreads, accuracy, per template), aggregated by Spark. */
final class Summaries {
    private Summaries() {}

    static Sql.Result overall(SparkSession spark, String table) {
        return query(spark, table, "SELECT " + BatchSummary.MEASURES + " FROM t");
    }

    static Sql.Result perTemplate(SparkSession spark, String table) {
        if (!List.of(spark.read().parquet(table).columns()).contains("template")) return null;
        return query(spark, table, "SELECT template, " + BatchSummary.MEASURES + " FROM t GROUP BY template ORDER BY template");
    }

    private static Sql.Result query(SparkSession spark, String table, String sql) {
        spark.read().parquet(table).createOrReplaceTempView("t");
        Dataset<Row> result = spark.sql(sql);
        List<List<String>> rows = new ArrayList<>();
        for (Row r : result.collectAsList()) {
            List<String> cells = new ArrayList<>();
            for (int i = 0; i < r.length(); i++) cells.add(r.isNullAt(i) ? "NULL" : String.valueOf(r.get(i)));
            rows.add(cells);
        }
        return new Sql.Result(List.of(result.columns()), rows);
    }
}
