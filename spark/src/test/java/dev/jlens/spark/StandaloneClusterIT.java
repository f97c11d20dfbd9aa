package dev.jlens.spark;

import dev.jlens.patching.PatchKind;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * jlens-spark.jar submitted to a real standalone cluster on 127.0.0.1 (a master and two workers, separate processes
 * started from the build's Spark jars): its tables equal the local engine's, also when an executor is killed in the
 * middle of the job, and bad input is one line from the driver.
 */
class StandaloneClusterIT {
    static StandaloneCluster cluster;
    static SparkSession reader;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        Path root = Files.createDirectories(Path.of(System.getProperty("jlens.spark.cluster")));
        cluster = new StandaloneCluster(Files.createTempDirectory(root, "cluster-"), 2);
        reader = SparkSession.builder().master("local[1]").appName("reader").config("spark.ui.enabled", "false").getOrCreate();
        reader.sparkContext().setLogLevel("ERROR");
    }

    @AfterAll
    static void stop() throws Exception {
        if (reader != null) reader.stop();
        if (cluster != null) cluster.close();
    }

    record Submitted(int code, String out, String err) {}

    private Submitted await(Process driver) throws Exception {
        assertThat(driver.waitFor(10, TimeUnit.MINUTES)).as("the driver finished").isTrue();
        return new Submitted(driver.exitValue(), Files.readString(dir.resolve("driver.out")), Files.readString(dir.resolve("driver.err")));
    }

    private Process submit(String... args) throws Exception {
        return cluster.submit(dir.resolve("driver.out"), dir.resolve("driver.err"), List.of(), args);
    }

    @Test
    void batchOnTheClusterEqualsTheLocalEngine() throws Exception {
        Path data = SparkFixtures.ioi(dir, 6);
        Path expected = SparkFixtures.localBatch(data, List.of(PatchKind.byId("resid_pre").orElseThrow()), dir.resolve("local.parquet"));
        Path out = dir.resolve("cluster.parquet");
        Submitted r = await(submit("batch", "--model", SparkFixtures.MODEL.toString(), "--dataset", data.toString(), "--out", out.toString(),
                "--patching", "resid_pre", "--shard-size", "2"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("6 prompts analyzed into " + out);
        SparkFixtures.assertSameTable(reader, expected, out);
    }

    @Test
    void anExecutorKilledMidJobChangesNothing() throws Exception {
        Path data = SparkFixtures.ioi(dir, 16);
        List<PatchKind> patching = List.of(PatchKind.byId("resid_pre").orElseThrow(), PatchKind.byId("attn_head_out_all_pos").orElseThrow());
        Path expected = SparkFixtures.localBatch(data, patching, dir.resolve("local.parquet"));
        Path out = dir.resolve("cluster.parquet");
        Process driver = submit("batch", "--model", SparkFixtures.MODEL.toString(), "--dataset", data.toString(), "--out", out.toString(),
                "--patching", "resid_pre", "attn_head_out_all_pos", "--shard-size", "2");
        // Mid-job: some of the 8 shards are committed, not all; then one executor process is killed (SIGKILL).
        Path committed = Path.of(out + ".partial", "_temporary", "0");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(8);
        while (committedTasks(committed) < 2 && driver.isAlive() && System.nanoTime() < deadline) Thread.sleep(100);
        List<ProcessHandle> executors = cluster.executors();
        long doneBeforeKill = committedTasks(committed);
        assertThat(executors).as("executors running").isNotEmpty();
        assertThat(doneBeforeKill).as("shards committed before the kill").isBetween(2L, 7L);
        ProcessHandle victim = executors.getFirst();
        assertThat(victim.destroyForcibly()).isTrue();
        victim.onExit().get(30, TimeUnit.SECONDS);

        Submitted r = await(driver);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("16 prompts analyzed into " + out);
        SparkFixtures.assertSameTable(reader, expected, out);
    }

    private static long committedTasks(Path folder) throws Exception {
        if (!Files.isDirectory(folder)) return 0;
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(p -> p.getFileName().toString().startsWith("task_")).count();
        } catch (java.nio.file.NoSuchFileException e) {
            return 0;
        }
    }

    @Test
    void aModelTheExecutorsCannotReachIsOneLineOnTheDriver() throws Exception {
        Path data = SparkFixtures.ioi(dir, 2);
        Path model = dir.resolve("no-model-here");
        Path out = dir.resolve("r.parquet");
        Submitted r = await(submit("batch", "--model", model.toString(), "--dataset", data.toString(), "--out", out.toString()));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().lines().toList().getLast()).startsWith("jlens: " + model + ": the model cannot be loaded on executor ");
        assertThat(r.err()).as("no stack trace").doesNotContain("\tat ");
        assertThat(out).doesNotExist();
    }

    @Test
    void aMissingDatasetIsOneLineOnTheDriver() throws Exception {
        Path missing = dir.resolve("nowhere.jsonl");
        Submitted r = await(submit("batch", "--model", SparkFixtures.MODEL.toString(), "--dataset", missing.toString(), "--out", dir.resolve("r.parquet").toString()));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().lines().toList().getLast()).isEqualTo("jlens: " + missing + ": no such dataset file");
        assertThat(r.err()).as("no stack trace").doesNotContain("\tat ");
    }
}
