package dev.jlens.cli;

import dev.jlens.Fixtures;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/bad-inputs.md, "Output files": an {@code --out} whose writing would destroy something is refused with one
 * line before any work (the experiment file, the model's own files, a read-only file, a device, pipe or standard
 * stream, an existing model folder), a symbolic link is followed to the file it names, and {@code --out -} streams
 * the output to standard output.
 */
class OutputFilesTest {
    private static final String A = Fixtures.modelDir("a").toString();
    private static final String DASH_OUT_HINT = "; to write to standard output give --out - (and redirect it)";

    @TempDir
    Path dir;

    // ---- the inputs themselves ----------------------------------------------------------------------------------

    @Test
    void outputOntoTheExperimentFileIsRefused() throws IOException {
        Path spec = copyOfTheExample();
        byte[] before = Files.readAllBytes(spec);
        for (String command : List.of("analyze", "report")) {
            assertThat(Refused.run(command, "--spec", spec.toString(), "--model", A, "--out", spec.toString()).err())
                    .isEqualTo("jlens: " + spec + ": is the --spec file " + spec + "; choose another --out\n");
        }
        assertThat(Files.readAllBytes(spec)).isEqualTo(before);
        assertThat(files(dir)).containsExactly("E.json");
    }

    /** Another path to the same file (through {@code ..}, a symbolic link, a hard link) is the same file. */
    @Test
    void outputOntoTheExperimentFileByAnotherPathIsRefused() throws IOException {
        Path spec = copyOfTheExample();
        byte[] before = Files.readAllBytes(spec);
        Files.createDirectory(dir.resolve("sub"));
        Path dotDot = dir.resolve("sub/../E.json");
        Path symlink = Files.createSymbolicLink(dir.resolve("link.json"), Path.of("E.json"));
        Path hardLink = Files.createLink(dir.resolve("hard.json"), spec);
        for (Path out : List.of(dotDot, symlink, hardLink)) {
            assertThat(Refused.run("analyze", "--spec", spec.toString(), "--model", A, "--out", out.toString()).err())
                    .isEqualTo("jlens: " + out + ": is the --spec file " + spec + "; choose another --out\n");
        }
        assertThat(Files.readAllBytes(spec)).isEqualTo(before);
        assertThat(Files.isSymbolicLink(symlink)).isTrue();
        assertThat(files(dir)).containsExactly("E.json", "hard.json", "link.json", "sub");
    }

    @Test
    void outputInsideTheModelFolderIsRefused() throws IOException {
        Path model = copyOfTheModel();
        byte[] weights = Files.readAllBytes(model.resolve("model.safetensors"));
        Path linkToModel = Files.createSymbolicLink(dir.resolve("link-to-M"), model);
        for (Path out : List.of(model.resolve("model.safetensors"), model.resolve("acts.safetensors"), linkToModel.resolve("acts.safetensors"))) {
            assertThat(Refused.run("cache", "--model", model.toString(), "--prompt", "x", "--out", out.toString()).err())
                    .isEqualTo("jlens: " + out + ": is inside the model folder " + model + "; choose another --out\n");
        }
        Path spec = copyOfTheExample();
        Path out = model.resolve("R.json");
        assertThat(Refused.run("analyze", "--spec", spec.toString(), "--model", model.toString(), "--out", out.toString()).err())
                .isEqualTo("jlens: " + out + ": is inside the model folder " + model + "; choose another --out\n");
        assertThat(Files.readAllBytes(model.resolve("model.safetensors"))).isEqualTo(weights);
        assertThat(files(model)).containsExactlyElementsOf(files(Fixtures.modelDir("a")));
    }

    /** A model file linked into another folder is still the model's: replacing it through the link would change the model. */
    @Test
    void outputOntoAModelFileLinkedElsewhereIsRefused() throws IOException {
        Path model = copyOfTheModel();
        Path elsewhere = Files.createSymbolicLink(dir.resolve("weights.safetensors"), model.resolve("model.safetensors"));
        assertThat(Refused.run("cache", "--model", model.toString(), "--prompt", "x", "--out", elsewhere.toString()).err())
                .isEqualTo("jlens: " + elsewhere + ": is inside the model folder " + model + "; choose another --out\n");
        assertThat(Files.readAllBytes(model.resolve("model.safetensors"))).isEqualTo(Files.readAllBytes(Fixtures.modelDir("a").resolve("model.safetensors")));
    }

    /** A model named on the Hub is read from its folder in the Hugging Face cache, blobs and snapshots: writing there is refused. */
    @Test
    void outputInsideTheHubCacheFolderOfTheModelIsRefused() throws IOException {
        Path hub = dir.resolve("hub");
        Path snapshot = Files.createDirectories(hub.resolve("models--openai-community--gpt2/snapshots/0123456789abcdef0123456789abcdef01234567"));
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("HF_HUB_CACHE", hub.toString());
        env.put("HF_HUB_OFFLINE", "1");
        Path out = snapshot.resolve("c.safetensors");
        assertThat(Refused.runWithEnv(env, "cache", "--model", "gpt2", "--prompt", "x", "--out", out.toString()).err())
                .isEqualTo("jlens: " + out + ": is inside the Hugging Face cache's folder of openai-community/gpt2; choose another --out\n");
        Refused.nothingWritten(out);
    }

    // ---- files that say "keep" and things that are not files ------------------------------------------------------

    /** Mode 0444: refused before the model loads, even as root (whom the OS lets replace it). */
    @Test
    void readOnlyOutputIsRefused() throws IOException {
        Path out = Files.writeString(dir.resolve("R.json"), "kept");
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("r--r--r--"));
        assertThat(Refused.run("analyze", "--spec", "examples/numbers.json", "--model", "no-such-model", "--out", out.toString()).err())
                .isEqualTo("jlens: " + out + ": is read-only (r--r--r--); make it writable or choose another name\n");
        assertThat(Files.readString(out)).isEqualTo("kept");
        assertThat(files(dir)).containsExactly("R.json");
    }

    @Test
    void pipeOutputIsRefusedWithAHintAtDashOut() throws Exception {
        Path fifo = dir.resolve("fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor()).isZero();
        assertThat(Refused.run("cache", "--model", A, "--prompt", "x", "--out", fifo.toString()).err())
                .isEqualTo("jlens: " + fifo + ": is a pipe (FIFO), not a regular file" + DASH_OUT_HINT + "\n");
        assertThat(Files.isRegularFile(fifo)).isFalse();
        assertThat(files(dir)).containsExactly("fifo");
    }

    /**
     * {@code --out /dev/null} as root: a character device 1:3 made with mknod in a temporary folder, so that a failure
     * of this test replaces that copy and not the system's /dev/null. Needs root (CAP_MKNOD), as CI runs.
     */
    @Test
    void deviceOutputIsRefusedWithAHintAtDashOut() throws Exception {
        Path devNull = dir.resolve("null");
        int made = new ProcessBuilder("mknod", devNull.toString(), "c", "1", "3").redirectErrorStream(true).start().waitFor();
        Assumptions.assumeTrue(made == 0, "mknod needs root (CAP_MKNOD); the /dev/null case runs as root in CI");
        assertThat(Refused.run("analyze", "--spec", "examples/numbers.json", "--model", A, "--out", devNull.toString()).err())
                .isEqualTo("jlens: " + devNull + ": is a character device, not a regular file" + DASH_OUT_HINT + "\n");
        assertThat(Files.getAttribute(devNull, "unix:rdev")).as("still the device").isEqualTo((long) ((1 << 8) | 3));
    }

    /** {@code --out /dev/stdout}: a link to /proc/self/fd/1, made here so that a failure replaces the copy, not the system's. */
    @Test
    void standardOutputByNameIsRefusedWithAHintAtDashOut() throws IOException {
        Path stdout = Files.createSymbolicLink(dir.resolve("stdout"), Path.of("/proc/self/fd/1"));
        assertThat(Refused.run("report", "--spec", "examples/numbers.json", "--model", A, "--out", stdout.toString()).err())
                .isEqualTo("jlens: " + stdout + ": is a file descriptor of this process (/proc/self/fd/1), not a file" + DASH_OUT_HINT + "\n");
        assertThat(Files.isSymbolicLink(stdout)).isTrue();
    }

    /** make-random-model never writes over a model (or anything else) in an existing folder. */
    @Test
    void randomModelIntoAnExistingModelIsRefused() throws IOException {
        Path model = copyOfTheModel();
        assertThat(Refused.run("make-random-model", "--shape", "small", "--tokenizer-from", A, "--out", model.toString()).err())
                .isEqualTo("jlens: " + model + ": is a folder that is not empty (a model?); give a new or empty folder\n");
        assertThat(files(model)).containsExactlyElementsOf(files(Fixtures.modelDir("a")));
        assertThat(Files.readAllBytes(model.resolve("model.safetensors"))).isEqualTo(Files.readAllBytes(Fixtures.modelDir("a").resolve("model.safetensors")));
    }

    // ---- what is written ----------------------------------------------------------------------------------------

    /** A symbolic link is followed, as a shell's {@code >} does: the file it names gets the result, the link stays. */
    @Test
    void aSymbolicLinkOutputWritesTheFileItNames() throws IOException {
        Path results = Files.createDirectory(dir.resolve("results"));
        Path real = Files.writeString(results.resolve("R.json"), "old");
        Path link = Files.createSymbolicLink(dir.resolve("R.json"), Path.of("results/R.json"));
        CliRunner.Result r = CliRunner.run("analyze", "--spec", "examples/numbers.json", "--model", A, "--out", link.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Files.readString(real)).startsWith("{\"model\":\"tiny-gpt2-a\"").contains("\"average_logit_diff\"");
        assertThat(files(results)).containsExactly("R.json");
    }

    /** {@code --out -} writes the same bytes to standard output as to a file, for JSON, HTML and safetensors alike. */
    @Test
    void dashOutStreamsTheSameBytesToStandardOutput() throws IOException {
        List<List<String>> commands = List.of(
                List.of("analyze", "--spec", "examples/numbers.json", "--model", A),
                List.of("report", "--spec", "examples/numbers.json", "--model", A),
                List.of("cache", "--model", A, "--prompt", "1 2 3", "--names", "blocks\\.0\\..*"));
        for (List<String> command : commands) {
            Path file = dir.resolve("out-" + command.get(0));
            byte[] streamed = run(command, "-");
            assertThat(run(command, file.toString())).as("stdout when writing a file").isEmpty();
            assertThat(streamed).as(command.get(0) + " --out -").isNotEmpty().isEqualTo(Files.readAllBytes(file));
        }
    }

    /** Runs jlens in-process and returns the raw bytes of its standard output (a safetensors file is not text). */
    private static byte[] run(List<String> command, String out) {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream(), stderr = new ByteArrayOutputStream();
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("HF_HUB_OFFLINE", "1");
        Main.Streams streams = new Main.Streams(new PrintStream(stdout, true, StandardCharsets.UTF_8),
                new PrintStream(stderr, true, StandardCharsets.UTF_8), false, env);
        String[] args = Stream.concat(command.stream(), Stream.of("--out", out)).toArray(String[]::new);
        assertThat(Main.run(args, streams)).as(stderr.toString(StandardCharsets.UTF_8)).isZero();
        return stdout.toByteArray();
    }

    private Path copyOfTheExample() throws IOException {
        return Files.copy(Path.of("examples/numbers.json"), dir.resolve("E.json"));
    }

    private Path copyOfTheModel() throws IOException {
        Path model = Files.createDirectory(dir.resolve("M"));
        for (String f : files(Fixtures.modelDir("a"))) Files.copy(Fixtures.modelDir("a").resolve(f), model.resolve(f));
        return model;
    }

    private static List<String> files(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
