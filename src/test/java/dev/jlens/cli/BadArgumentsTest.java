package dev.jlens.cli;

import dev.jlens.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/bad-inputs.md, the rows about what is typed on the command line: prompts, answers, counts and other
 * arguments, output files. Each test runs the command line and checks the one-line answer (see {@link Refused}).
 */
class BadArgumentsTest {
    private static final String A = Fixtures.modelDir("a").toString();
    private static final String LONE_HIGH = "\ud800", LONE_LOW = "\udc00";

    @TempDir
    Path dir;

    // ---- prompts --------------------------------------------------------------------------------------------------

    /** As TransformerLens: "" with BOS is the one token BOS, and the model predicts from it. */
    @Test
    void emptyPromptWithBosIsAccepted() {
        CliRunner.Result r = CliRunner.run("test-prompt", "--model", A, "--prompt", "", "--answer", " x");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("Tokenized prompt: ['<|endoftext|>']\nTokenized answer: [' x']\n");
    }

    @Test
    void emptyPromptWithoutBos() {
        assertThat(Refused.run("test-prompt", "--model", A, "--prompt", "", "--answer", " x", "--no-bos").err())
                .isEqualTo("jlens: --prompt is empty and --no-bos leaves it no tokens to predict the answer from\n");
    }

    /** Tokenizing "" without BOS gives no tokens, as to_tokens does. */
    @Test
    void emptyTextTokenizedWithoutBosIsNoTokens() {
        CliRunner.Result r = CliRunner.run("tokenize", "--model", A, "--no-bos", "--json", "");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("{\"ids\":[],\"str_tokens\":[]}\n");
    }

    @Test
    void promptLongerThanTheContext() {
        assertThat(Refused.run("test-prompt", "--model", A, "--prompt", "word ".repeat(1100), "--answer", " x").err())
                .isEqualTo("jlens: --prompt with its --answer is 1103 tokens long, more than the model's context of 1024 tokens (n_ctx)\n");
    }

    @Test
    void promptLongerThanTheContextForGenerate() {
        assertThat(Refused.run("generate", "--model", A, "--prompt", "word ".repeat(1100), "--max-new-tokens", "0").err())
                .isEqualTo("jlens: --prompt is 1102 tokens long, more than the model's context of 1024 tokens (n_ctx)\n");
    }

    @Test
    void promptLongerThanTheContextForCache() {
        Path out = dir.resolve("c.safetensors");
        assertThat(Refused.run("cache", "--model", A, "--prompt", "word ".repeat(1100), "--out", out.toString()).err())
                .isEqualTo("jlens: --prompt is 1102 tokens long, more than the model's context of 1024 tokens (n_ctx)\n");
        Refused.nothingWritten(out);
    }

    @Test
    void promptWithALoneSurrogate() {
        assertThat(Refused.run("test-prompt", "--model", A, "--prompt", "ab" + LONE_HIGH, "--answer", " x").err())
                .isEqualTo("jlens: --prompt has an unpaired surrogate U+D800 at index 2; it is not valid Unicode text\n");
    }

    @Test
    void promptWithALoneSurrogateForGenerateAndCache() {
        assertThat(Refused.run("generate", "--model", A, "--prompt", LONE_LOW, "--max-new-tokens", "1").err())
                .contains("--prompt has an unpaired surrogate U+DC00 at index 0");
        Path out = dir.resolve("c.safetensors");
        assertThat(Refused.run("cache", "--model", A, "--prompt", "x" + LONE_LOW + LONE_HIGH, "--out", out.toString()).err())
                .contains("--prompt has an unpaired surrogate U+DC00 at index 1");
        Refused.nothingWritten(out);
    }

    @Test
    void textToTokenizeWithALoneSurrogate() {
        assertThat(Refused.run("tokenize", "--model", A, "--", "fine", "bad" + LONE_HIGH + "x").err())
                .isEqualTo("jlens: TEXT 2 has an unpaired surrogate U+D800 at index 3; it is not valid Unicode text\n");
    }

    @Test
    void surrogatePairsAreFine() {
        CliRunner.Result r = CliRunner.run("tokenize", "--model", A, "--json", "--", "\ud83d\ude00");
        assertThat(r.exitCode()).as(r.err()).isZero();
    }

    // ---- answers --------------------------------------------------------------------------------------------------

    @Test
    void answerWithALoneSurrogate() {
        assertThat(Refused.run("test-prompt", "--model", A, "--prompt", "x", "--answer", LONE_LOW).err())
                .contains("--answer has an unpaired surrogate U+DC00 at index 0");
    }

    /** test_prompt takes a multi-token answer and ranks each of its tokens, as TransformerLens does. */
    @Test
    void multiTokenAnswerIsRankedTokenByToken() {
        CliRunner.Result r = CliRunner.run("test-prompt", "--model", A, "--prompt", "The pet is", "--answer", " Pebbles");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("Tokenized answer: [' Peb', 'bles']").contains("Token: | Peb|").contains("Token: |bles|");
    }

    // ---- counts and other arguments -------------------------------------------------------------------------------

    @Test
    void negativeTopK() {
        assertThat(Refused.run("test-prompt", "--model", A, "--prompt", "x", "--answer", " y", "--top-k", "-1").err())
                .isEqualTo("jlens: --top-k must be 0 or more, got -1\n");
    }

    @Test
    void topKBeyondTheVocabulary() {
        assertThat(Refused.run("test-prompt", "--model", A, "--prompt", "x", "--answer", " y", "--top-k", "1000000000").err())
                .isEqualTo("jlens: --top-k 1000000000 is more than the model's 50257 tokens (d_vocab)\n");
    }

    /** generate samples among the top K as TransformerLens does, whose torch.topk refuses a K beyond the vocabulary. */
    @Test
    void topKBeyondTheVocabularyForGenerate() {
        assertThat(Refused.run("generate", "--model", A, "--prompt", "x", "--max-new-tokens", "1", "--top-k", "1000000000").err())
                .isEqualTo("jlens: --top-k 1000000000 is more than the model's 50257 tokens (d_vocab)\n");
    }

    @Test
    void benchCountsOutOfRange() {
        assertThat(Refused.run("bench", "--model", A, "--tokens", "-1").err()).isEqualTo("jlens: --tokens must be at least 2, got -1\n");
        assertThat(Refused.run("bench", "--model", A, "--tokens", "1").err()).isEqualTo("jlens: --tokens must be at least 2, got 1\n");
        assertThat(Refused.run("bench", "--model", A, "--runs", "0").err()).isEqualTo("jlens: --runs must be between 1 and 10000, got 0\n");
        assertThat(Refused.run("bench", "--model", A, "--runs", "2147483647").err())
                .isEqualTo("jlens: --runs must be between 1 and 10000, got 2147483647\n");
    }

    @Test
    void benchTokensBeyondTheContext() {
        assertThat(Refused.run("bench", "--model", A, "--tokens", "100000", "--runs", "1").err())
                .isEqualTo("jlens: --tokens 100000 is more than the model's context of 1024 tokens (n_ctx)\n");
    }

    @Test
    void reportTopKOutOfRange() {
        Path out = dir.resolve("R.html");
        assertThat(Refused.run("report", "--spec", "examples/numbers.json", "--model", A, "--out", out.toString(), "--top-k", "5000").err())
                .isEqualTo("jlens: --top-k must be between 0 and 1000, got 5000\n");
        Refused.nothingWritten(out);
    }

    @Test
    void negativeMaxNewTokens() {
        assertThat(Refused.run("generate", "--model", A, "--prompt", "x", "--max-new-tokens", "-3").err())
                .isEqualTo("jlens: --max-new-tokens must be 0 or more, got -3\n");
    }

    @Test
    void maxNewTokensBeyondTheContextSaysTheLimit() {
        assertThat(Refused.run("generate", "--model", A, "--prompt", "x", "--max-new-tokens", "1000000").err())
                .isEqualTo("jlens: --max-new-tokens 1000000 is too many: the prompt's 2 tokens plus 1000000 new ones exceed the model's "
                        + "context of 1024 tokens (n_ctx); at most 1022 fit\n");
    }

    @Test
    void maxNewTokensAtTheLargestInt() {
        assertThat(Refused.run("generate", "--model", A, "--prompt", "x", "--max-new-tokens", "2147483647").err())
                .contains("--max-new-tokens 2147483647 is too many").contains("at most 1022 fit");
    }

    @Test
    void countThatIsNotANumber() {
        assertThat(Refused.usage("generate", "--model", A, "--prompt", "x", "--max-new-tokens", "many").err())
                .isEqualTo("jlens: Invalid value for option '--max-new-tokens': 'many' is not an int (see: jlens generate --help)\n");
        assertThat(Refused.usage("generate", "--model", A, "--prompt", "x", "--max-new-tokens", "99999999999").err())
                .contains("'99999999999' is not an int");
    }

    @Test
    void samplingOptionsOutOfRange() {
        assertThat(Refused.run("generate", "--model", A, "--prompt", "x", "--max-new-tokens", "1", "--top-k", "0").err())
                .isEqualTo("jlens: --top-k must be 1 or more, got 0 (leave it out to sample among all tokens)\n");
        assertThat(Refused.run("generate", "--model", A, "--prompt", "x", "--max-new-tokens", "1", "--top-p", "1.5").err())
                .isEqualTo("jlens: --top-p must be in (0, 1], got 1.5\n");
        assertThat(Refused.run("generate", "--model", A, "--prompt", "x", "--max-new-tokens", "1", "--temperature", "-1").err())
                .isEqualTo("jlens: --temperature must be 0 or more, got -1.0\n");
        assertThat(Refused.run("generate", "--model", A, "--prompt", "x", "--max-new-tokens", "1", "--temperature", "NaN").err())
                .isEqualTo("jlens: --temperature must be 0 or more, got NaN\n");
    }

    @Test
    void portOutOfRange() {
        assertThat(Refused.run("serve", "--model", A, "--port", "70000").err())
                .isEqualTo("jlens: --port must be between 0 and 65535 (0 picks a free one), got 70000\n");
        assertThat(Refused.run("serve", "--model", A, "--port", "-1").err()).contains("--port must be between 0 and 65535");
    }

    @Test
    void portInUse() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThat(Refused.run("serve", "--model", A, "--port", String.valueOf(taken.getLocalPort())).err())
                    .startsWith("jlens: cannot listen on 127.0.0.1:" + taken.getLocalPort()).endsWith("; pick another --port\n");
        }
    }

    /** --host other than loopback is allowed, with a warning: the web UI has no login. */
    @Test
    void nonLoopbackHostIsServedWithAWarning() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        Main.Streams streams = new Main.Streams(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                false, Map.of("HF_HUB_OFFLINE", "1"));
        Thread serving = new Thread(() -> Main.run(new String[] {"serve", "--model", A, "--host", "0.0.0.0", "--port", "0"}, streams));
        serving.start();
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!out.toString(StandardCharsets.UTF_8).contains("http://") && System.nanoTime() < deadline) Thread.sleep(20);
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("at http://0.0.0.0:");
            assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("jlens: warning: listening on 0.0.0.0 makes the web UI "
                    + "(which has no login) reachable from other machines\n");
        } finally {
            serving.interrupt();
            serving.join(10_000);
        }
        assertThat(serving.isAlive()).isFalse();
    }

    /** An address of another machine could never be listened on; said before the model loads, and without the warning. */
    @Test
    void hostThatIsNotAnAddressOfThisMachine() {
        // 192.0.2.1 is TEST-NET-1 (RFC 5737): documentation only, never assigned to a machine
        assertThat(Refused.run("serve", "--model", "/nonexistent/model", "--host", "192.0.2.1", "--port", "0").err())
                .isEqualTo("jlens: --host 192.0.2.1 is not an address of this machine; give one of its own, 127.0.0.1 (the default) or 0.0.0.0 (all)\n");
    }

    /** --allow-host takes a bare name; a URL or a name with a port would never equal a Host header's name. Said before the model loads. */
    @Test
    void allowHostThatIsNotAName() {
        for (String bad : new String[] {"http://jlens.lab.example", "jlens.lab.example:7860", "*.example", "", "a b"}) {
            assertThat(Refused.run("serve", "--model", "/nonexistent/model", "--allow-host", bad, "--port", "0").err()).as(bad)
                    .isEqualTo("jlens: --allow-host '" + bad + "' is not a host name; give a bare name such as jlens.lab.example (no scheme, port or path)\n");
        }
    }

    @Test
    void hostThatDoesNotResolve() {
        // .invalid never resolves (RFC 6761)
        assertThat(Refused.run("serve", "--model", "/nonexistent/model", "--host", "no-such-host.invalid", "--port", "0").err())
                .isEqualTo("jlens: --host 'no-such-host.invalid' is not a known host name or address\n");
    }

    @Test
    void namesThatAreNotARegularExpression() {
        Path out = dir.resolve("c.safetensors");
        assertThat(Refused.run("cache", "--model", A, "--prompt", "x", "--out", out.toString(), "--names", "blocks.(0").err())
                .isEqualTo("jlens: --names: 'blocks.(0' is not a valid regular expression (Unclosed group)\n");
        Refused.nothingWritten(out);
    }

    @Test
    void namesThatMatchNoHookPoint() {
        Path out = dir.resolve("c.safetensors");
        assertThat(Refused.run("cache", "--model", A, "--prompt", "x", "--out", out.toString(), "--names", "hook_nothing").err())
                .startsWith("jlens: --names 'hook_nothing' matches no hook point");
        Refused.nothingWritten(out);
    }

    @Test
    void unknownOptionCommandOrMissingArgument() {
        assertThat(Refused.usage("generate", "--model", A, "--prompt", "x", "--max-new-tokens", "1", "--beams", "4").err())
                .isEqualTo("jlens: unknown option '--beams' (see: jlens generate --help)\n");
        assertThat(Refused.usage("explain", "--model", A).err()).isEqualTo("jlens: unknown command 'explain' (see: jlens --help)\n");
        assertThat(Refused.usage("generate", "--model", A, "--max-new-tokens", "1").err())
                .isEqualTo("jlens: Missing required option: '--prompt=P' (see: jlens generate --help)\n");
    }

    /**
     * picocli would read {@code @path} as "the arguments are in this file" and put the file's words in its place:
     * a prompt such as "@home" or a text that happens to name a file would be replaced by what the file holds.
     */
    @Test
    void anArgumentStartingWithAtIsTakenLiterally() throws IOException {
        Path notes = Files.writeString(dir.resolve("notes"), "--help\nsecret words\n");
        String literal = "@" + notes;
        CliRunner.Result tokenized = CliRunner.run("tokenize", "--model", A, "--no-bos", "--json", literal);
        assertThat(tokenized.exitCode()).as(tokenized.err()).isZero();
        java.util.List<String> tokens = new java.util.ArrayList<>();
        tools.jackson.databind.json.JsonMapper.builder().build().readTree(tokenized.out()).get("str_tokens")
                .forEach(t -> tokens.add(t.asString()));
        assertThat(String.join("", tokens)).isEqualTo(literal);

        CliRunner.Result prompted = CliRunner.run("test-prompt", "--model", A, "--prompt", literal, "--answer", " x");
        assertThat(prompted.exitCode()).as(prompted.err()).isZero();
        java.util.List<String> withBos = new java.util.ArrayList<>(java.util.List.of("<|endoftext|>"));
        withBos.addAll(tokens);
        assertThat(prompted.out()).startsWith("Tokenized prompt: " + dev.jlens.util.PyRepr.list(withBos) + "\n")
                .doesNotContain("secret");
    }

    // ---- output files ---------------------------------------------------------------------------------------------

    @Test
    void outputIntoAMissingFolder() {
        Path out = dir.resolve("no/such/folder/c.safetensors");
        assertThat(Refused.run("cache", "--model", A, "--prompt", "x", "--out", out.toString()).err())
                .isEqualTo("jlens: " + out + ": cannot be written (folder " + out.getParent() + " does not exist)\n");
        Refused.nothingWritten(out);
    }

    @Test
    void outputWhoseFolderIsAFile() throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        Path out = file.resolve("R.json");
        assertThat(Refused.run("analyze", "--spec", "examples/numbers.json", "--model", A, "--out", out.toString()).err())
                .isEqualTo("jlens: " + out + ": cannot be written (" + file + " is not a folder)\n");
        assertThat(Files.readString(file)).isEqualTo("x");
    }

    @Test
    void outputThatIsAFolder() throws IOException {
        Path out = Files.createDirectory(dir.resolve("R.html"));
        assertThat(Refused.run("report", "--spec", "examples/numbers.json", "--model", A, "--out", out.toString()).err())
                .isEqualTo("jlens: " + out + ": is a folder; give the name of a file to write\n");
        try (var files = Files.list(out)) {
            assertThat(files).isEmpty();
        }
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("R.html");
        }
    }

    // ---- make-random-model: a folder ------------------------------------------------------------------------------

    @Test
    void randomModelOfAnUnknownShape() {
        Path out = dir.resolve("M");
        assertThat(Refused.run("make-random-model", "--shape", "huge", "--tokenizer-from", A, "--out", out.toString()).err())
                .isEqualTo("jlens: unknown shape 'huge' (small, medium, large, xl, pythia-70m, pythia-160m, pythia-410m, pythia-1b, pythia-1.4b)\n");
        assertThat(out).doesNotExist();
    }

    /** Checked before anything is written: no half-made folder is left behind. */
    @Test
    void randomModelWithoutTokenizerFiles() throws IOException {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        Path out = dir.resolve("M");
        assertThat(Refused.run("make-random-model", "--shape", "small", "--tokenizer-from", empty.toString(), "--out", out.toString()).err())
                .isEqualTo("jlens: " + empty + ": no GPT-2 tokenizer files (vocab.json + merges.txt or tokenizer.json)\n");
        assertThat(out).doesNotExist();
    }

    @Test
    void randomModelIntoAFile() throws IOException {
        Path out = Files.writeString(dir.resolve("M"), "x");
        assertThat(Refused.run("make-random-model", "--shape", "small", "--tokenizer-from", A, "--out", out.toString()).err())
                .isEqualTo("jlens: " + out + ": cannot be written (it is a file, not a folder)\n");
        assertThat(Files.readString(out)).isEqualTo("x");
    }

    /** A failed analysis leaves an existing output file as it was: written whole or not at all. */
    @Test
    void aFailedRunLeavesTheOldOutputAsItWas() throws IOException {
        Path out = Files.writeString(dir.resolve("R.json"), "old result");
        Path spec = Files.writeString(dir.resolve("E.json"), "{\"prompts\": [\"1 2 3 4\"], \"answers\": [[\" 5\", \" Pebbles\"]]}");
        Refused.run("analyze", "--spec", spec.toString(), "--model", A, "--out", out.toString());
        assertThat(Files.readString(out)).isEqualTo("old result");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("R.json", "E.json");
        }
    }
}
