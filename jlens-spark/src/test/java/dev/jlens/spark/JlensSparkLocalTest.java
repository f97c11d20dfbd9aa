package dev.jlens.spark;

import dev.jlens.patching.PatchKind;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The dataset jobs on Spark in local mode (two worker threads in this JVM): the local engine's tables, row for row. */
class JlensSparkLocalTest {
    static SparkSession spark;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        spark = SparkFixtures.localSession("jlens-spark tests");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void batchEqualsTheLocalEngineRowForRow() throws Exception {
        Path data = SparkFixtures.ioi(dir, 12);
        List<PatchKind> patching = List.of(PatchKind.byId("resid_pre").orElseThrow());
        Path expected = SparkFixtures.localBatch(data, patching, dir.resolve("local.parquet"));
        Path out = dir.resolve("spark.parquet");
        JlensSpark.BatchRun run = JlensSpark.batchToParquet(spark, ModelRef.of(SparkFixtures.MODEL.toString()), Tables.read(spark, data.toString(), false),
                data.toString(), JlensSpark.BatchOptions.defaults().withPatching(patching).withShardSize(3), out.toString());
        assertThat(run.rows()).isEqualTo(12);
        assertThat(run.skipped()).isZero();
        SparkFixtures.assertSameTable(spark, expected, out);
    }

    @Test
    void eachJvmLoadsTheModelOnceForAllItsTasks() throws Exception {
        Path data = SparkFixtures.ioi(dir, 8);
        ModelRef model = ModelRef.of(SparkFixtures.MODEL.toString());
        JlensSpark.batch(spark, model, Tables.read(spark, data.toString(), false), JlensSpark.BatchOptions.defaults().withShardSize(2)).count();
        int afterFirst = ExecutorModels.loads();
        assertThat(afterFirst).isPositive();
        long rows = JlensSpark.batch(spark, model, Tables.read(spark, data.toString(), false), JlensSpark.BatchOptions.defaults().withShardSize(1)).count();
        assertThat(rows).isEqualTo(8);
        assertThat(ExecutorModels.loads()).as("eight more tasks, no more loads").isEqualTo(afterFirst);
    }

    @Test
    void theDriverWritesTheTableAndItsSummary() throws Exception {
        Path data = SparkFixtures.ioi(dir, 6);
        Path out = dir.resolve("r.parquet");
        Run r = driver("batch", "--model", SparkFixtures.MODEL.toString(), "--dataset", data.toString(), "--out", out.toString(), "--shard-size", "2");
        assertThat(r.code).as(r.err).isZero();
        assertThat(r.out).startsWith("6 prompts analyzed into " + out).contains("mean_logit_diff").contains("template");
        assertThat(spark.read().parquet(out.toString()).count()).isEqualTo(6);
    }

    @Test
    void aMissingDatasetIsOneLineOnTheDriver() {
        Path missing = dir.resolve("nowhere.jsonl");
        Run r = driver("batch", "--model", SparkFixtures.MODEL.toString(), "--dataset", missing.toString(), "--out", dir.resolve("r.parquet").toString());
        assertThat(r.code).isEqualTo(1);
        assertThat(r.err).isEqualTo("jlens: " + missing + ": no such dataset file\n");
    }

    @Test
    void aModelNoExecutorCanLoadIsOneLineOnTheDriver() throws Exception {
        Path data = SparkFixtures.ioi(dir, 2);
        Path model = dir.resolve("no-model-here");
        Run r = driver("batch", "--model", model.toString(), "--dataset", data.toString(), "--out", dir.resolve("r.parquet").toString());
        assertThat(r.code).isEqualTo(1);
        assertThat(r.err).startsWith("jlens: " + model + ": the model cannot be loaded on executor ").endsWith("\n");
        assertThat(r.err.lines()).hasSize(1);
        assertThat(dir.resolve("r.parquet")).as("no table is presented as whole").doesNotExist();
    }

    @Test
    void optionsOnlyTheLocalEngineHasAnExistingTableAndAMissingColumnAreRefused() throws Exception {
        Path data = SparkFixtures.ioi(dir, 2);
        Path out = java.nio.file.Files.createDirectories(dir.resolve("r.parquet"));
        String model = SparkFixtures.MODEL.toString();
        Run resume = driver("batch", "--model", model, "--dataset", data.toString(), "--out", dir.resolve("a.parquet").toString(), "--resume");
        assertThat(resume.err).isEqualTo("jlens: --resume: Spark retries failed tasks itself; run a failed job again with --overwrite\n");
        Run threads = driver("batch", "--model", model, "--dataset", data.toString(), "--out", dir.resolve("a.parquet").toString(), "--threads", "2");
        assertThat(threads.err).isEqualTo("jlens: --threads: on Spark the tasks at once are the executors' cores; set spark.executor.cores instead\n");
        Run exists = driver("batch", "--model", model, "--dataset", data.toString(), "--out", out.toString());
        assertThat(exists.err).isEqualTo("jlens: " + out + ": exists; --overwrite to replace it\n");
        Path noAnswers = java.nio.file.Files.writeString(dir.resolve("d.jsonl"), "{\"prompt\": \"a\", \"answer\": \" b\"}\n");
        Run column = driver("batch", "--model", model, "--dataset", noAnswers.toString(), "--out", dir.resolve("a.parquet").toString());
        assertThat(column.err).isEqualTo("jlens: " + noAnswers + ": no \"answers\" column (the dataset has: prompt, answer)\n");
        for (Run r : List.of(resume, threads, exists, column)) {
            assertThat(r.code).isEqualTo(1);
            assertThat(r.out).isEmpty();
        }
        assertThat(dir.resolve("a.parquet")).doesNotExist();
    }

    record Run(int code, String out, String err) {}

    static Run driver(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = JlensSparkJob.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
