package dev.jlens.cli;

import dev.jlens.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad input: one line on stderr naming the input and the problem, a non-zero exit, no stack trace. */
class ErrorsTest {
    private static CliRunner.Result oneLineError(String... args) {
        CliRunner.Result r = CliRunner.run(args);
        assertThat(r.exitCode()).as("exit code; stderr: " + r.err()).isNotZero();
        assertThat(r.errLines()).as("stderr: " + r.err()).hasSize(1);
        assertThat(r.err()).startsWith("jlens: ").doesNotContain("\tat ").doesNotContain("Exception");
        assertThat(r.out()).isEmpty();
        return r;
    }

    /** A copy of fixture A whose weights file is replaced by {@code weights}. */
    private static Path modelWith(Path dir, String fileName, byte[] weights) throws IOException {
        Path model = Files.createDirectories(dir.resolve("model"));
        for (String f : new String[] {"config.json", "vocab.json", "merges.txt", "tokenizer_config.json"}) {
            Files.copy(Fixtures.modelDir("a").resolve(f), model.resolve(f));
        }
        Files.write(model.resolve(fileName), weights);
        return model;
    }

    @Test
    void missingModelFolder() {
        CliRunner.Result r = oneLineError("test-prompt", "--model", "/nonexistent/model", "--prompt", "x", "--answer", "y");
        assertThat(r.err()).contains("/nonexistent/model").contains("does not exist");
    }

    @Test
    void missingWeightsFile(@TempDir Path dir) throws IOException {
        Path model = modelWith(dir, "README.md", new byte[0]);
        CliRunner.Result r = oneLineError("generate", "--model", model.toString(), "--prompt", "x", "--max-new-tokens", "1");
        assertThat(r.err()).contains("neither model.safetensors nor pytorch_model.bin");
    }

    @Test
    void truncatedWeightsFile(@TempDir Path dir) throws IOException {
        byte[] full = Files.readAllBytes(Fixtures.modelDir("a").resolve("model.safetensors"));
        Path model = modelWith(dir, "model.safetensors", java.util.Arrays.copyOf(full, full.length / 2));
        CliRunner.Result r = oneLineError("generate", "--model", model.toString(), "--prompt", "x", "--max-new-tokens", "1");
        assertThat(r.err()).matches("jlens: \\S*model\\.safetensors: tensor '[^']+': data_offsets \\[\\d+, \\d+\\] reach past the end of the file "
                + "\\(data area is \\d+ bytes\\)\n");
    }

    @Test
    void garbageWeightsFile(@TempDir Path dir) throws IOException {
        Path model = modelWith(dir, "model.safetensors", "this is not a safetensors file at all".getBytes());
        CliRunner.Result r = oneLineError("generate", "--model", model.toString(), "--prompt", "x", "--max-new-tokens", "1");
        // the first 8 bytes, "this is ", read as the little-endian header length
        long length = java.nio.ByteBuffer.wrap("this is ".getBytes()).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(r.err()).endsWith("model.safetensors: header length " + Long.toUnsignedString(length) + " exceeds the file size (37 bytes)\n");
    }

    @Test
    void pickleNamingAForeignGlobalIsRefusedAndNothingRuns(@TempDir Path dir) throws IOException {
        Path marker = dir.resolve("pwned");
        // protocol 2: GLOBAL 'os system', the argument tuple, REDUCE, STOP
        String cmd = "touch " + marker;
        java.io.ByteArrayOutputStream pkl = new java.io.ByteArrayOutputStream();
        pkl.write(new byte[] {(byte) 0x80, 2});
        pkl.write(("cos\nsystem\n").getBytes());
        pkl.write('X');
        byte[] c = cmd.getBytes();
        pkl.write(new byte[] {(byte) c.length, 0, 0, 0});
        pkl.write(c);
        pkl.write(new byte[] {(byte) 0x85, 'R', '.'});
        java.io.ByteArrayOutputStream zip = new java.io.ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(zip)) {
            // torch stores its entries uncompressed
            byte[] data = pkl.toByteArray();
            ZipEntry entry = new ZipEntry("archive/data.pkl");
            entry.setMethod(ZipEntry.STORED);
            entry.setSize(data.length);
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(data);
            entry.setCrc(crc.getValue());
            z.putNextEntry(entry);
            z.write(data);
            z.closeEntry();
        }
        Path model = modelWith(dir, "pytorch_model.bin", zip.toByteArray());
        CliRunner.Result r = oneLineError("generate", "--model", model.toString(), "--prompt", "x", "--max-new-tokens", "1");
        assertThat(r.err()).contains("pytorch_model.bin").contains("os");
        assertThat(marker).doesNotExist();
    }

    @Test
    void promptLongerThanTheContextSaysTheLimit() {
        String longPrompt = "word ".repeat(1100);
        CliRunner.Result r = oneLineError("test-prompt", "--model", Fixtures.modelDir("a").toString(), "--prompt", longPrompt, "--answer", "x");
        assertThat(r.err()).contains("1024");
    }

    @Test
    void unknownModelNameListsTheKnownOnes() {
        CliRunner.Result r = oneLineError("generate", "--model", "gpt3-huge", "--prompt", "x", "--max-new-tokens", "1");
        assertThat(r.err()).contains("gpt3-huge").contains("gpt2-small").contains("gpt2-medium").contains("distilgpt2");
    }

    @Test
    void knownModelNotAvailableLocallySaysSo(@TempDir Path emptyCache) {
        // Offline, with an empty Hugging Face cache, a known name cannot be found (and no request leaves the machine).
        CliRunner.Result r = CliRunner.runWithEnv(java.util.Map.of("HF_HUB_CACHE", emptyCache.toString(), "HF_HUB_OFFLINE", "1"),
                "generate", "--model", "gpt2-small", "--prompt", "x", "--max-new-tokens", "1");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).contains("openai-community/gpt2").contains("HF_HUB_OFFLINE").contains("not in the Hugging Face cache");
    }

    @Test
    void multiTokenAnswerWhereOneTokenIsNeeded() {
        // to_single_token's error, surfaced through the library call the CLI's analyses use
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Fixtures.model("a").toSingleToken(" Pebbles"))
                .hasMessage("Input string:  Pebbles is not a single token!");
    }

    @Test
    void badArgumentsSayWhatIsWrongInOneLine() {
        CliRunner.Result r = oneLineError("generate", "--model", Fixtures.modelDir("a").toString(), "--prompt", "x", "--max-new-tokens", "many");
        assertThat(r.err()).contains("many");
        assertThat(r.exitCode()).isEqualTo(2);
        CliRunner.Result neg = oneLineError("generate", "--model", Fixtures.modelDir("a").toString(), "--prompt", "x", "--max-new-tokens", "-3");
        assertThat(neg.err()).contains("--max-new-tokens");
    }

    /**
     * Running out of heap is an Error, which picocli does not hand to the exception handler (64 MB: the logits of a
     * 1,000-token prompt, 200 MB, fail on the main thread), and which arrives wrapped in another exception when a
     * worker thread ran out (32 MB): either way one line, not the JVM's trace. Each in a JVM of its own.
     */
    @Test
    void runningOutOfMemoryIsOneLine() throws Exception {
        for (int megabytes : new int[] {32, 64}) {
            String javaCommand = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder pb = new ProcessBuilder(javaCommand, "-Xmx" + megabytes + "m", "--add-modules", "jdk.incubator.vector",
                    "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                    "test-prompt", "--model", Fixtures.modelDir("a").toString(), "--prompt", "word ".repeat(1000), "--answer", " x");
            pb.environment().put("HF_HUB_OFFLINE", "1");
            Process p = pb.start();
            p.getOutputStream().close();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
            String err = read(p.getErrorStream()).replaceAll("(?m)^WARNING: Using incubator modules.*\n", "");
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(err).isEqualTo(1);
            assertThat(err).as(megabytes + " MB").isEqualTo("jlens: out of memory (" + megabytes + " MB heap); give the JVM more with JLENS_JAVA_OPTS=-Xmx<size>\n");
            assertThat(out.get()).isEmpty();
        }
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void debugAddsTheStackTrace() {
        String[] args = {"generate", "--model", "/nonexistent/model", "--prompt", "x", "--max-new-tokens", "1"};
        String line = oneLineError(args).err();
        String[] debugArgs = new String[args.length + 1];
        debugArgs[0] = "--debug";
        System.arraycopy(args, 0, debugArgs, 1, args.length);
        CliRunner.Result r = CliRunner.run(debugArgs);
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.err()).as("the same line, then the trace").startsWith(line).contains("\tat ");
    }
}
