package dev.jlens.spark;

import dev.jlens.JlensException;
import dev.jlens.io.Json;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Datasets read and tables written by the driver, on any storage Spark reaches (a path every node sees, hdfs://,
 * s3a://): the kind told by the name's ending as the local engine tells it, a missing path refused by name before
 * any job starts.
 */
final class Tables {
    private Tables() {}

    static Dataset<Row> read(SparkSession spark, String dataset, boolean permissive) {
        Path path = new Path(dataset);
        if (!exists(spark, path)) throw new JlensException(dataset + ": no such dataset file");
        String name = path.getName().toLowerCase(Locale.ROOT);
        if (name.endsWith(".jsonl") || name.endsWith(".ndjson") || name.endsWith(".json")) {
            Dataset<Row> rows = spark.read().option("mode", permissive ? "PERMISSIVE" : "FAILFAST").json(dataset);
            return inFileOrder(rows, firstLineNames(spark, dataset));
        }
        if (name.endsWith(".csv")) return spark.read().option("header", "true").option("multiLine", "true").option("escape", "\"").csv(dataset);
        if (name.endsWith(".parquet")) return spark.read().parquet(dataset);
        if (name.endsWith(".txt")) return spark.read().text(dataset).withColumnRenamed("value", "text");
        throw new JlensException(dataset + ": unknown dataset format (use .jsonl, .csv, .parquet or .txt)");
    }

    /** Refuses an output that exists unless it is to be replaced. */
    static void refuseExisting(SparkSession spark, String out, boolean overwrite) {
        if (!overwrite && exists(spark, new Path(out))) throw new JlensException(out + ": exists; --overwrite to replace it");
    }

    /**
     * Writes {@code table} as a Parquet folder: first as {@code out.partial} beside it, then, once the job is done,
     * moved into place (replacing {@code out}), so that {@code out} is whole or absent (the move is atomic on a
     * local file system and HDFS; object stores have no such move).
     */
    static void writeWhole(SparkSession spark, Dataset<Row> table, String out) {
        writeWhole(spark, out, partial -> table.write().mode(org.apache.spark.sql.SaveMode.Overwrite).parquet(partial.toString()));
    }

    /** Writes a folder {@code out} whole, as above: {@code write} fills {@code out.partial}, which is then moved into place. */
    static void writeWhole(SparkSession spark, String out, java.util.function.Consumer<Path> write) {
        Path target = new Path(out), partial = new Path(out + ".partial");
        try {
            FileSystem fs = target.getFileSystem(spark.sparkContext().hadoopConfiguration());
            fs.delete(partial, true);
            try {
                write.accept(partial);
            } catch (RuntimeException e) {
                fs.delete(partial, true);
                throw e;
            }
            fs.delete(target, true);
            if (!fs.rename(partial, target)) throw new JlensException(out + ": cannot be written (the finished output could not be moved into place from " + partial + ")");
        } catch (IOException e) {
            throw new JlensException(out + ": cannot be written (" + e.getMessage() + ")");
        }
    }

    private static boolean exists(SparkSession spark, Path path) {
        try {
            FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
            return fs.exists(path);
        } catch (IOException e) {
            throw new JlensException(path + ": cannot be read (" + e.getMessage() + ")");
        }
    }

    /** Spark orders a JSON file's columns by name; the local engine keeps the file's order, taken from its first object. */
    private static List<String> firstLineNames(SparkSession spark, String dataset) {
        List<String> first = spark.read().textFile(dataset).filter((org.apache.spark.api.java.function.FilterFunction<String>) l -> !l.isBlank()).limit(1).collectAsList();
        if (first.isEmpty()) return List.of();
        try {
            if (!(Json.parse(first.getFirst(), 8) instanceof Json.Obj o)) return List.of();
            List<String> names = new ArrayList<>();
            for (String n : o.names()) names.add(n);
            return names;
        } catch (Json.SyntaxError e) {
            return List.of();
        }
    }

    private static Dataset<Row> inFileOrder(Dataset<Row> rows, List<String> order) {
        List<String> names = new ArrayList<>();
        for (String n : order) if (List.of(rows.columns()).contains(n)) names.add(n);
        for (String n : rows.columns()) if (!names.contains(n)) names.add(n);
        Column[] cols = names.stream().map(n -> rows.col("`" + n.replace("`", "``") + "`")).toArray(Column[]::new);
        return rows.select(cols);
    }
}
