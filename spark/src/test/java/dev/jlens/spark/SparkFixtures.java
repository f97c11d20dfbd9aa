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

    private SparkFixtures() {}

    /** IOI prompts of both templates (so of different lengths), as JSON Lines. */
    static Path ioi(Path dir, int n) throws Exception {
        StringBuilder b = new StringBuilder();
        for (IoiDataset.Sample s : IoiDataset.generate(n, 5, false)) b.append(s.toJson()).append('\n');
        return Files.writeString(dir.resolve("ioi.jsonl"), b.toString());
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
