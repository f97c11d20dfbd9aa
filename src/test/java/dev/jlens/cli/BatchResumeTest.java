package dev.jlens.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A batch run's table does not depend on how it ran: on 1, 2 or 4 threads (ragged prompts padded in batches of 3), or killed part-way (a real SIGKILL of a
 * real {@code jlens batch} process) and resumed, the file is byte for byte the same.
 */
@Timeout(300)
class BatchResumeTest {
    @TempDir
    Path dir;

    @Test
    void oneTwoAndFourThreadsWriteTheSameFile() throws Exception {
        Path data = BatchCommandTest.ioi(dir, 10);
        List<byte[]> files = new ArrayList<>();
        for (String threads : List.of("1", "2", "4")) {
            Path out = dir.resolve("r" + threads + ".parquet");
            CliRunner.Result r = batch(data, out, "--threads", threads, "--shard-size", "5", "--batch-size", "3");
            assertThat(r.exitCode()).as(r.err()).isZero();
            files.add(Files.readAllBytes(out));
        }
        assertThat(files.get(1)).isEqualTo(files.get(0));
        assertThat(files.get(2)).isEqualTo(files.get(0));
    }

    @Test
    void aRunKilledPartWayResumesToTheSameFile() throws Exception {
        Path data = BatchCommandTest.ioi(dir, 40);
        Path out = dir.resolve("r.parquet");
        Path shards = BatchJobFiles.shardFolder(out);
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(), "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "batch", "--model", BatchCommandTest.MODEL, "--dataset", data.toString(), "--out", out.toString(),
                "--patching", "resid_pre", "--shard-size", "2", "--threads", "1"));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (shardFiles(shards) < 3 && child.isAlive() && System.nanoTime() < deadline) Thread.sleep(10);
            assertThat(child.isAlive()).as("the child is still running after 3 shards: " + Files.readString(dir.resolve("child.log"))).isTrue();
            child.destroyForcibly();   // SIGKILL
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }
        assertThat(child.exitValue()).isEqualTo(137);
        assertThat(out).as("no table from a killed run").doesNotExist();
        long done = shardFiles(shards);
        assertThat(done).isBetween(3L, 19L);

        CliRunner.Result again = CliRunner.run("batch", "--model", BatchCommandTest.MODEL, "--dataset", data.toString(), "--out", out.toString(),
                "--patching", "resid_pre", "--shard-size", "2");
        assertThat(again.exitCode()).as("without --resume the shards are not silently dropped").isEqualTo(1);
        assertThat(again.err()).isEqualTo("jlens: " + shards + ": holds the shards of an unfinished run; --resume to continue it or --overwrite to start again\n");

        Path kept = Files.createDirectory(dir.resolve("kept"));
        try (Stream<Path> files = Files.list(shards)) {
            for (Path f : files.toList()) Files.copy(f, kept.resolve(f.getFileName()));
        }

        CliRunner.Result resumed = batch(data, out, "--patching", "resid_pre", "--shard-size", "2", "--resume");
        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        assertThat(resumed.out()).startsWith("40 prompts analyzed");
        assertThat(shards).doesNotExist();
        Path uninterrupted = dir.resolve("uninterrupted.parquet");
        assertThat(batch(data, uninterrupted, "--patching", "resid_pre", "--shard-size", "2").exitCode()).isZero();
        assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(uninterrupted));

        // the completed shards are used, not computed again: a value changed in one shows in the table
        Files.move(kept, shards);
        Path first = shards.resolve("shard-000000.jsonl");
        Files.writeString(first, Files.readString(first).replaceFirst("\"logit_diff\":[^,]+,", "\"logit_diff\":1234.5,"));
        assertThat(batch(data, out, "--patching", "resid_pre", "--shard-size", "2", "--resume").exitCode()).isZero();
        assertThat(ParquetRows.read(out).getFirst().get("logit_diff")).isEqualTo(1234.5f);
    }

    private static CliRunner.Result batch(Path data, Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("batch", "--model", BatchCommandTest.MODEL, "--dataset", data.toString(), "--out", out.toString()));
        args.addAll(List.of(more));
        return CliRunner.run(args.toArray(String[]::new));
    }

    private static long shardFiles(Path shards) throws Exception {
        if (!Files.isDirectory(shards)) return 0;
        try (Stream<Path> s = Files.list(shards)) {
            return s.filter(p -> p.getFileName().toString().startsWith("shard-") && p.getFileName().toString().endsWith(".jsonl")).count();
        }
    }
}
