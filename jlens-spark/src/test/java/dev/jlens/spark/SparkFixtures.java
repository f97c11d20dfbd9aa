package dev.jlens.spark;

import dev.jlens.dataset.BatchJob;
import dev.jlens.tensor.Parallel;
import dev.jlens.dataset.IoiDataset;
import dev.jlens.model.HookedTransformer;
import dev.jlens.patching.PatchKind;
import dev.jlens.util.Progress;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The tests' model and datasets (the core's fixtures), and the local engine's table as the expected output. */
final class SparkFixtures {
    static final Path FIXTURES = Path.of(System.getProperty("jlens.fixtures", "../src/test/resources/fixtures"));
    static final Path MODEL = FIXTURES.resolve("tiny-gpt2-a").toAbsolutePath().normalize();
    static final Path SAE = FIXTURES.resolve("saes/tiny-gpt2-a/standard").toAbsolutePath().normalize();

    private SparkFixtures() {}

    /** Spark in local mode, two worker threads in this JVM, quiet. */
    static SparkSession localSession(String appName) {
        SparkSession spark = SparkSession.builder().master("local[2]").appName(appName).config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2").getOrCreate();
        spark.sparkContext().setLogLevel("ERROR");
        return spark;
    }

    /** IOI prompts of both templates (so of different lengths), as JSON Lines. */
    static Path ioi(Path dir, int n) throws Exception {
        StringBuilder b = new StringBuilder();
        for (IoiDataset.Sample s : IoiDataset.generate(n, 5, false)) b.append(s.toJson()).append('\n');
        return Files.writeString(dir.resolve("ioi.jsonl"), b.toString());
    }

    /** A text corpus of {@code n} short documents, one a line (some empty), as the local engine and Spark read a .txt. */
    static Path documents(Path dir, int n) throws Exception {
        StringBuilder b = new StringBuilder();
        for (int d = 0; d < n; d++) b.append(d % 7 == 3 ? "" : "Doc " + d + " went to the shops, and " + (d * 37 % 101) + " cats sat on the mat.").append('\n');
        return Files.writeString(dir.resolve("corpus-" + n + ".txt"), b.toString());
    }

    record Run(int code, String out, String err) {}

    /** The command line {@code jlens ARGS...} (the local engine), in this JVM. */
    static Run jlens(List<String> args) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(), err = new java.io.ByteArrayOutputStream();
        int code = dev.jlens.cli.Main.run(args.toArray(String[]::new), new dev.jlens.cli.Main.Streams(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8),
                new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8), false, System.getenv()));
        return new Run(code, out.toString(java.nio.charset.StandardCharsets.UTF_8), err.toString(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** The shard files of an activations folder, in order. */
    static List<String> shardFiles(Path folder) throws Exception {
        try (var files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("shard-") && n.endsWith(".safetensors")).sorted().toList();
        }
    }

    /** Two top-activations tables (a file, a folder) with the same columns and types and the same rows in unit and rank order. */
    static void assertSameTopActivations(SparkSession spark, Path expected, Path actual) {
        Dataset<Row> e = spark.read().parquet(expected.toString()), a = spark.read().parquet(actual.toString());
        assertThat(columns(a)).isEqualTo(columns(e));
        List<Row> expectedRows = e.orderBy("unit", "rank").collectAsList(), actualRows = a.orderBy("unit", "rank").collectAsList();
        assertThat(actualRows).hasSize(expectedRows.size()).isNotEmpty();
        for (int i = 0; i < expectedRows.size(); i++) assertThat(actualRows.get(i)).as("row " + i).isEqualTo(expectedRows.get(i));
    }

    /** {@code jlens batch}'s table of the local engine for the same dataset and options. */
    static Path localBatch(Path dataset, List<PatchKind> patching, Path out) {
        try (Parallel workers = new Parallel(2, "local-batch")) {
            BatchJob.run(HookedTransformer.fromPretrained(MODEL.toString()), dataset, patching, List.of(), out,
                    new BatchJob.Options(3, false, false, false, true), workers, Progress.NONE);
        }
        return out;
    }

    /** Both tables have the same columns, in the same order and of the same types, and the same rows in row order. */
    static void assertSameTable(SparkSession spark, Path expected, Path actual) {
        Dataset<Row> e = spark.read().parquet(expected.toString()), a = spark.read().parquet(actual.toString());
        assertThat(columns(a)).isEqualTo(columns(e));
        List<Row> expectedRows = e.orderBy("row").collectAsList(), actualRows = a.orderBy("row").collectAsList();
        assertThat(actualRows).hasSize(expectedRows.size()).isNotEmpty();
        for (int i = 0; i < expectedRows.size(); i++) assertThat(actualRows.get(i)).as("row " + i).isEqualTo(expectedRows.get(i));
    }

    private static List<String> columns(Dataset<Row> d) {
        List<String> out = new ArrayList<>();
        for (StructField f : d.schema().fields()) out.add(f.name() + " " + f.dataType().simpleString());
        return out;
    }
}
