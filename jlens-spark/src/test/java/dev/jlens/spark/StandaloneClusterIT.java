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
 * jlens-spark.jar submitted to a real standalone cluster on the loopback network (a master and two workers on two
 * hosts, separate processes started from the build's Spark jars): its outputs equal the local engine's, also when an
 * executor is killed in the middle of the job, when a slow task is run again speculatively beside the first, and
 * with the model shipped with the job; bad input is one line from the driver.
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
        return submitWith(List.of(), args);
    }

    private Process submitWith(List<String> sparkSubmitOptions, String... args) throws Exception {
        return cluster.submit(dir.resolve("driver.out"), dir.resolve("driver.err"), sparkSubmitOptions, args);
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

    /**
     * Speculation on, eagerly: a task running 1.5 times the median (and 0.5 s) once half the tasks are done gets a
     * copy on the other host. The last shard holds rows of 1,024 tokens, the others rows of 6: its task is the
     * straggler. Both attempts write the shard; the folder is still the local engine's, and the event log shows
     * that a speculative attempt ran.
     */
    @Test
    void aSlowTaskRunAgainSpeculativelyChangesNothing() throws Exception {
        StringBuilder b = new StringBuilder();
        for (int r = 0; r < 40; r++) {
            int length = r < 36 ? 6 : 1024;
            StringBuilder t = new StringBuilder("{\"tokens\": [");
            for (int i = 0; i < length; i++) t.append(i > 0 ? "," : "").append((r * 131 + i * 17) % 50000);
            b.append(t).append("]}\n");
        }
        Path data = Files.writeString(dir.resolve("tokens.jsonl"), b.toString());
        List<String> args = List.of("activations", "--model", SparkFixtures.MODEL.toString(), "--dataset", data.toString(),
                "--hooks", "blocks\\.[03]\\.hook_resid_post", "--shard-size", "4", "--batch-size", "2");
        Path local = dir.resolve("local"), out = dir.resolve("cluster");
        SparkFixtures.Run expected = SparkFixtures.jlens(concat(args, "--out", local.toString()));
        assertThat(expected.code()).as(expected.err()).isZero();
        Path events = Files.createDirectories(dir.resolve("events"));
        Submitted r = await(submitWith(List.of("--conf", "spark.speculation=true", "--conf", "spark.speculation.interval=100ms",
                "--conf", "spark.speculation.multiplier=1.5", "--conf", "spark.speculation.quantile=0.5", "--conf", "spark.speculation.minTaskRuntime=500ms",
                "--conf", "spark.speculation.efficiency.enabled=false", "--conf", "spark.eventLog.enabled=true", "--conf", "spark.eventLog.dir=" + events.toUri(),
                "--conf", "spark.eventLog.compress=false", "--conf", "spark.eventLog.rolling.enabled=false"),
                concat(args, "--out", out.toString()).toArray(String[]::new)));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(expected.out().replace(local.toString(), out.toString()));
        List<String> shards = SparkFixtures.shardFiles(local);
        assertThat(SparkFixtures.shardFiles(out)).isEqualTo(shards).hasSize(10);
        for (String shard : shards) assertThat(Files.readAllBytes(out.resolve(shard))).as(shard).isEqualTo(Files.readAllBytes(local.resolve(shard)));
        assertThat(Files.readString(out.resolve("manifest.json"))).isEqualTo(Files.readString(local.resolve("manifest.json")));
        try (Stream<Path> files = Files.list(out)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> !shards.contains(n))).as("no attempt files").containsExactly("manifest.json");
        }
        StringBuilder log = new StringBuilder();
        try (Stream<Path> files = Files.walk(events)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) log.append(Files.readString(f));
        }
        assertThat(log.toString().lines().filter(l -> l.contains("\"Event\":\"SparkListenerTaskStart\"") && l.contains("\"Speculative\":true")))
                .as("a speculative attempt ran").isNotEmpty();
    }

    /**
     * The model folder shipped with the job as an archive ({@code --archives tiny.zip#tiny}, then {@code --model
     * tiny}): the executors load it from their copy, and the table equals the local engine's.
     */
    @Test
    void topActivationsWithTheModelShippedAsAnArchiveEqualTheLocalEngine() throws Exception {
        Path corpus = SparkFixtures.documents(dir, 20);
        Path zip = dir.resolve("tiny.zip");
        try (var z = new java.util.zip.ZipOutputStream(Files.newOutputStream(zip)); Stream<Path> files = Files.list(SparkFixtures.MODEL)) {
            for (Path f : files.sorted().toList()) {
                z.putNextEntry(new java.util.zip.ZipEntry(f.getFileName().toString()));
                Files.copy(f, z);
                z.closeEntry();
            }
        }
        List<String> job = List.of("--dataset", corpus.toString(), "--hook", "blocks.1.mlp.hook_post", "--k", "3", "--context", "8", "--batch-size", "2");
        Path local = dir.resolve("local.parquet"), out = dir.resolve("cluster.parquet");
        SparkFixtures.Run expected = SparkFixtures.jlens(concat(concat(List.of("top-activations", "--model", SparkFixtures.MODEL.toString()), job.toArray(String[]::new)),
                "--out", local.toString()));
        assertThat(expected.code()).as(expected.err()).isZero();
        Submitted r = await(submitWith(List.of("--archives", zip.toUri() + "#tiny"),
                concat(concat(List.of("top-activations", "--model", "tiny"), job.toArray(String[]::new)), "--out", out.toString()).toArray(String[]::new)));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(expected.out().replace(local.toString(), out.toString()));
        SparkFixtures.assertSameTopActivations(reader, local, out);
    }

    private static List<String> concat(List<String> args, String... more) {
        List<String> out = new java.util.ArrayList<>(args);
        out.addAll(List.of(more));
        return out;
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
