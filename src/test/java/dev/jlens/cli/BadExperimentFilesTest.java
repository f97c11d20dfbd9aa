package dev.jlens.cli;

import dev.jlens.Fixtures;
import dev.jlens.testing.NamedPipe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/bad-inputs.md, the rows about experiment files ({@code --spec}) that {@link AnalyzeCommandTest} does not
 * already cover. Each runs {@code jlens analyze} (or {@code report}) and checks the one-line answer naming the file,
 * and that no result file was written.
 */
class BadExperimentFilesTest {
    private static final String A = Fixtures.modelDir("a").toString();
    private static final String SMALL_SPEC = "{\"answers\": [[\" 3\", \" 4\"]], \"prompts\": [\"1 2\"]}";

    @TempDir
    Path dir;

    private Path spec(String json) throws IOException {
        return Files.writeString(dir.resolve("E.json"), json);
    }

    /** Runs analyze on the file; the answer names it and nothing is written. */
    private String refused(Path spec) {
        Path out = dir.resolve("R.json");
        CliRunner.Result r = Refused.run("analyze", "--spec", spec.toString(), "--model", A, "--out", out.toString());
        Refused.nothingWritten(out);
        assertThat(r.err()).startsWith("jlens: " + spec);
        return r.err();
    }

    private String refused(String json) throws IOException {
        return refused(spec(json));
    }

    @Test
    void aFolder() throws IOException {
        assertThat(refused(Files.createDirectory(dir.resolve("E.json")))).endsWith(": is a folder, not an experiment file\n");
    }

    @Test
    void largerThan64MB() throws IOException {
        Path spec = dir.resolve("E.json");
        try (RandomAccessFile f = new RandomAccessFile(spec.toFile(), "rw")) {
            f.setLength(65L << 20);   // sparse
        }
        assertThat(refused(spec)).isEqualTo("jlens: " + spec + ": 68157440 bytes, more than the 64 MB an experiment file may have; is this an experiment file?\n");
    }

    /** A device reports a size of 0 bytes: only a cap on the bytes read stops it from filling the heap. */
    @Test
    void anEndlessDevice() {
        assertThat(refused(Path.of("/dev/zero")))
                .isEqualTo("jlens: /dev/zero: more than the 64 MB an experiment file may have; is this an experiment file?\n");
    }

    /** As {@code --spec <(command)}: a pipe also reports 0 bytes; the 64 MB + 1st byte read ends it. */
    @Test
    void aPipeOfMoreThan64MB() throws Exception {
        Path spec = dir.resolve("E.json");
        try (NamedPipe pipe = NamedPipe.feeding(spec, SMALL_SPEC.getBytes(StandardCharsets.UTF_8), (byte) ' ', (64L << 20) + 1)) {
            assertThat(refused(spec)).isEqualTo("jlens: " + spec + ": more than the 64 MB an experiment file may have; is this an experiment file?\n");
        }
    }

    /** Up to the cap, a pipe is an experiment file as any other (the trailing spaces are JSON whitespace). */
    @Test
    void aPipeOfExactly64MBIsAnalyzed() throws Exception {
        Path spec = dir.resolve("E.json"), out = dir.resolve("R.json");
        try (NamedPipe pipe = NamedPipe.feeding(spec, SMALL_SPEC.getBytes(StandardCharsets.UTF_8), (byte) ' ', 64L << 20)) {
            CliRunner.Result r = CliRunner.run("analyze", "--spec", spec.toString(), "--model", A, "--out", out.toString());
            assertThat(r.exitCode()).as(r.err()).isZero();
        }
        assertThat(Files.readString(out)).contains("\"prompts\":[\"1 2\"]");
    }

    /**
     * report shows the experiment file's text: it reads the file once, since a second read of a pipe would wait
     * for a writer that has gone.
     */
    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void reportReadsASpecFromAPipeOnce() throws Exception {
        Path spec = dir.resolve("E.json"), out = dir.resolve("R.html");
        try (NamedPipe pipe = NamedPipe.feeding(spec, SMALL_SPEC.getBytes(StandardCharsets.UTF_8), (byte) ' ', SMALL_SPEC.length())) {
            CliRunner.Result r = CliRunner.run("report", "--spec", spec.toString(), "--model", A, "--out", out.toString());
            assertThat(r.exitCode()).as(r.err()).isZero();
        }
        assertThat(Files.readString(out)).contains("{&quot;answers&quot;: [[&quot; 3&quot;, &quot; 4&quot;]], &quot;prompts&quot;: [&quot;1 2&quot;]}");
    }

    /** Read leniently, the bad byte would become U+FFFD in a prompt and change its tokens unseen. */
    @Test
    void notUtf8() throws IOException {
        String text = "{\"prompts\": [\"1 2 \u0000\"], \"answers\": [[\" 3\", \" 4\"]]}";
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        bytes[text.indexOf('\u0000')] = (byte) 0xff;   // inside the prompt
        assertThat(refused(Files.write(dir.resolve("E.json"), bytes))).endsWith(": not valid UTF-8 text\n");
    }

    /** Notepad and other Windows editors start UTF-8 files with a byte order mark; it is not part of the JSON. */
    @Test
    void aByteOrderMarkIsSkipped() throws IOException {
        Path spec = Files.writeString(dir.resolve("E.json"), "\uFEFF{\"prompts\": [\"1 2\"], \"answers\": [[\" 3\", \" 4\"]]}");
        Path out = dir.resolve("R.json");
        CliRunner.Result r = CliRunner.run("analyze", "--spec", spec.toString(), "--model", A, "--out", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(Files.readString(out)).contains("\"prompts\":[\"1 2\"]");
    }

    @Test
    void empty() throws IOException {
        assertThat(refused("")).endsWith(": must be a JSON object with \"prompts\" and \"answers\"\n");
    }

    @Test
    void trailingContent() throws IOException {
        assertThat(refused("{\"prompts\": [\"1 2\"], \"answers\": [[\" 3\", \" 4\"]]} {}")).contains(": not valid JSON (Trailing token");
    }

    @Test
    void duplicateField() throws IOException {
        assertThat(refused("{\"prompts\": [\"1 2\"], \"answers\": [[\" 3\", \" 4\"]], \"prompts\": [\"5 6\"]}"))
                .contains(": not valid JSON (Duplicate Object property \"prompts\" at line 1, column ");
    }

    @Test
    void nestedTooDeeply() throws IOException {
        assertThat(refused("{\"prompts\": " + "[".repeat(100_000) + "]".repeat(100_000) + "}"))
                .contains(": not valid JSON (Document nesting depth (33) exceeds the maximum allowed (32");
    }

    @Test
    void missingAnswers() throws IOException {
        assertThat(refused("{\"prompts\": [\"1 2\"]}")).endsWith(": \"answers\" is missing\n");
    }

    @Test
    void fieldsOfTheWrongType() throws IOException {
        assertThat(refused("{\"model\": 5, \"prompts\": [\"1 2\"], \"answers\": [[\" 3\", \" 4\"]]}")).endsWith(": \"model\" must be a string\n");
    }

    @Test
    void prependBosThatIsNotABoolean() throws IOException {
        assertThat(refused("{\"prepend_bos\": \"yes\", \"prompts\": [\"1 2\"], \"answers\": [[\" 3\", \" 4\"]]}"))
                .endsWith(": \"prepend_bos\" must be true or false\n");
    }

    @Test
    void promptThatIsNotAString() throws IOException {
        assertThat(refused("{\"prompts\": [\"1 2\", 7], \"answers\": [[\" 3\", \" 4\"], [\" 3\", \" 4\"]]}"))
                .endsWith(": prompts[1] must be a string, got 7\n");
    }

    @Test
    void patchingThatIsNotAList() throws IOException {
        assertThat(refused("{\"prompts\": [\"1 2\"], \"answers\": [[\" 3\", \" 4\"]], \"corrupted_prompts\": [\"1 3\"], \"patching\": \"resid_pre\"}"))
                .endsWith(": \"patching\" must be a list of strings\n");
    }

    @Test
    void aMillionPrompts() throws IOException {
        StringBuilder json = new StringBuilder("{\"prompts\": [");
        for (int i = 0; i < 1_000_000; i++) json.append(i == 0 ? "" : ",").append("\"x\"");
        json.append("], \"answers\": []}");
        assertThat(refused(json.toString())).endsWith(": 1000000 prompts; at most 100000\n");
    }

    @Test
    void corruptedPromptsNotOnePerPrompt() throws IOException {
        assertThat(refused("{\"prompts\": [\"1 2\", \"3 4\"], \"answers\": [[\" 3\", \" 4\"], [\" 5\", \" 6\"]], \"corrupted_prompts\": [\"1 3\"]}"))
                .endsWith(": 1 corrupted prompts for 2 prompts; give one per prompt\n");
    }

    @Test
    void answerOfNoTokens() throws IOException {
        assertThat(refused("{\"prompts\": [\"1 2\"], \"answers\": [[\"\", \" 4\"]]}"))
                .endsWith(": answers[0][0] '' is 0 tokens []; each answer must be a single token (mind the leading space)\n");
    }

    @Test
    void emptyPromptWithoutBos() throws IOException {
        assertThat(refused("{\"prepend_bos\": false, \"prompts\": [\"\"], \"answers\": [[\" 3\", \" 4\"]]}"))
                .endsWith(": prompts[0] is empty and \"prepend_bos\" is false, so it has no tokens; give it some text or prepend BOS\n");
    }

    /** "" with BOS is the one token BOS, as in TransformerLens: the analysis runs. */
    @Test
    void emptyPromptWithBosIsAnalyzed() throws IOException {
        Path out = dir.resolve("R.json");
        CliRunner.Result r = CliRunner.run("analyze", "--spec", spec("{\"prompts\": [\"\"], \"answers\": [[\" 3\", \" 4\"]]}").toString(),
                "--model", A, "--out", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(Files.readString(out)).contains("\"tokens\":[[50256]]");
    }

    @Test
    void promptWithALoneSurrogate() throws IOException {
        assertThat(refused("{\"prompts\": [\"1 2 \\ud800\"], \"answers\": [[\" 3\", \" 4\"]]}"))
                .endsWith(": prompts[0] has an unpaired surrogate U+D800 at index 4; it is not valid Unicode text\n");
    }

    @Test
    void answerWithALoneSurrogate() throws IOException {
        assertThat(refused("{\"prompts\": [\"1 2\"], \"answers\": [[\" 3\", \"\\udc00\"]]}"))
                .endsWith(": answers[0][1] has an unpaired surrogate U+DC00 at index 0; it is not valid Unicode text\n");
    }

    @Test
    void promptLongerThanTheContext() throws IOException {
        assertThat(refused("{\"prompts\": [\"" + "word ".repeat(1100) + "\"], \"answers\": [[\" 3\", \" 4\"]]}"))
                .endsWith(": prompts[0] is 1102 tokens long, more than the model's context of 1024 tokens (n_ctx)\n");
    }

    @Test
    void corruptedPromptLongerThanTheContext() throws IOException {
        assertThat(refused("{\"prompts\": [\"1 2\"], \"answers\": [[\" 3\", \" 4\"]], \"corrupted_prompts\": [\"" + "word ".repeat(1100) + "\"]}"))
                .endsWith(": corrupted_prompts[0] is 1102 tokens long, more than the model's context of 1024 tokens (n_ctx)\n");
    }

    @Test
    void patchingKindListedTwice() throws IOException {
        assertThat(refused("{\"prompts\": [\"1 2\"], \"answers\": [[\" 3\", \" 4\"]], \"corrupted_prompts\": [\"1 3\"], \"patching\": [\"resid_pre\", \"mlp_out\", \"resid_pre\"]}"))
                .endsWith(": patching[2] \"resid_pre\" is listed twice\n");
    }

    @Test
    void attributionWithoutCorruptedPrompts() throws IOException {
        assertThat(refused("{\"prompts\": [\"1 2\"], \"answers\": [[\" 3\", \" 4\"]], \"attribution\": [\"resid_pre\"]}"))
                .endsWith(": \"attribution\" needs \"corrupted_prompts\" (the run whose gradient estimates each patch)\n");
    }

    @Test
    void unknownAttributionKind() throws IOException {
        assertThat(refused("{\"prompts\": [\"1 2\"], \"answers\": [[\" 3\", \" 4\"]], \"corrupted_prompts\": [\"1 3\"], \"attribution\": [\"resid_post\"]}"))
                .contains(": unknown attribution kind \"resid_post\" (known: resid_pre, resid_mid,");
    }

    @Test
    void attributionWithCorruptedPromptsOfAnotherLength() throws IOException {
        assertThat(refused("{\"prompts\": [\"1 2\"], \"answers\": [[\" 3\", \" 4\"]], \"corrupted_prompts\": [\"1 3 5\"], \"attribution\": [\"resid_pre\"]}"))
                .endsWith(": corrupted prompts are 4 tokens long but the prompts are 3; patching pastes activations position by position, so they must be equally long\n");
    }

    /** 20,000 prompts: the logits alone are 8 GB, more than the tests' 4 GB heap; refused before anything runs. */
    @Test
    void anAnalysisTooLargeForTheHeapIsRefusedWithTheEstimate() throws IOException {
        StringBuilder json = new StringBuilder("{\"prompts\": [");
        for (int i = 0; i < 20_000; i++) json.append(i == 0 ? "" : ",").append("\"x\"");
        json.append("], \"answers\": [");
        for (int i = 0; i < 20_000; i++) json.append(i == 0 ? "" : ",").append("[\" a\", \" b\"]");
        json.append("]}");
        assertThat(refused(json.toString()))
                .matches("(?s)jlens: \\S+E\\.json: the analysis of 20000 prompts of 2 tokens needs about 15\\.9 GB of memory but only "
                        + "\\d+\\.\\d [MG]B of the \\d+\\.\\d GB heap is free; use fewer or shorter prompts, or give the JVM more "
                        + "\\(JLENS_JAVA_OPTS=-Xmx<size>\\)\n");
    }

    @Test
    void anAnalysisWhoseLogitsExceedATensorIsRefused() throws IOException {
        StringBuilder json = new StringBuilder("{\"prompts\": [");
        for (int i = 0; i < 50_000; i++) json.append(i == 0 ? "" : ",").append("\"x\"");
        json.append("], \"answers\": [");
        for (int i = 0; i < 50_000; i++) json.append(i == 0 ? "" : ",").append("[\" a\", \" b\"]");
        json.append("]}");
        assertThat(refused(json.toString())).endsWith(": the analysis of 50000 prompts of 2 tokens needs the logits [50000, 2, 50257], "
                + "5025700000 values, more than one tensor can hold (2^31 - 1); use fewer or shorter prompts\n");
    }

    @Test
    void reportRefusesTheSameWay() throws IOException {
        Path spec = spec("{\"prompts\": [\"1 2\"], \"answers\": [[\" 3\", \" 4\"]], \"corrupted_prompts\": [\"1 3\"], \"patching\": [\"resid_post\"]}");
        Path out = dir.resolve("R.html");
        assertThat(Refused.run("report", "--spec", spec.toString(), "--model", A, "--out", out.toString()).err())
                .startsWith("jlens: " + spec + ": unknown patching kind \"resid_post\"");
        Refused.nothingWritten(out);
    }
}
