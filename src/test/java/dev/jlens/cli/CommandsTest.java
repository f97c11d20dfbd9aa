package dev.jlens.cli;

import dev.jlens.Fixtures;
import dev.jlens.io.Checkpoint;
import dev.jlens.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.file.Path;
import java.util.Arrays;

import static dev.jlens.Fixtures.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

/** The command-line contract of design.md for tokenize, test-prompt, cache, generate and --version. */
class CommandsTest {
    private final String modelA = Fixtures.modelDir("a").toString();

    @Test
    void versionPrintsTheVersion() {
        CliRunner.Result r = CliRunner.run("--version");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).matches("jlens \\d+\\.\\d+\\.\\d+\\n");
    }

    @Test
    void tokenizeJsonPrintsOneObjectPerText() {
        CliRunner.Result r = CliRunner.run("tokenize", "--model", modelA, "--json", "--", "Hello world!", "  Pebbles");
        assertThat(r.exitCode()).as(r.err()).isZero();
        String[] lines = r.out().split("\n");
        assertThat(lines).hasSize(2);
        JsonNode first = JsonMapper.builder().build().readTree(lines[0]);
        assertThat(Fixtures.ints(first.get("ids"))).containsExactly(50256, 15496, 995, 0);
        assertThat(Fixtures.strings(first.get("str_tokens"))).containsExactly("<|endoftext|>", "Hello", " world", "!");
        JsonNode second = JsonMapper.builder().build().readTree(lines[1]);
        assertThat(Fixtures.strings(second.get("str_tokens")))
                .containsExactlyElementsOf(Fixtures.strings(Fixtures.reference("a").get("str_tokens_two_space_pebbles")));
    }

    @Test
    void tokenizeWithoutBos() {
        CliRunner.Result r = CliRunner.run("tokenize", "--model", modelA, "--no-bos", "--json", "Hello");
        assertThat(JsonMapper.builder().build().readTree(r.out()).get("ids").toString()).isEqualTo("[15496]");
    }

    @Test
    void testPromptPrintsTheTranscriptByteForByte() {
        for (String which : Fixtures.names()) {
            JsonNode c = Fixtures.reference(which).get("test_prompt").get(5);
            CliRunner.Result r = CliRunner.run("test-prompt", "--model", Fixtures.modelDir(which).toString(),
                    "--prompt", c.get("prompt").asString(), "--answer", c.get("answer").asString());
            assertThat(r.exitCode()).as(r.err()).isZero();
            assertThat(r.out()).isEqualTo(c.get("output").asString());
            assertThat(r.err()).isEmpty();
        }
    }

    @Test
    void testPromptWithSeveralAnswers() {
        JsonNode c = Fixtures.reference("a").get("test_prompt_extra").get(1);
        CliRunner.Result r = CliRunner.run("test-prompt", "--model", modelA, "--prompt", c.get("prompt").asString(),
                "--answer", "6", "--answer", " 8", "--answer", "ten");
        assertThat(r.out()).isEqualTo(c.get("output").asString());
    }

    @Test
    void cacheWritesSafetensorsKeyedByHookName(@TempDir Path dir) {
        Path out = dir.resolve("pet.safetensors");
        CliRunner.Result r = CliRunner.run("cache", "--model", modelA, "--prompt", Fixtures.PET_PROMPT, "--out", out.toString(),
                "--names", "blocks\\.0\\..*|hook_embed");
        assertThat(r.exitCode()).as(r.err()).isZero();
        try (Checkpoint saved = Checkpoint.open(out)) {
            assertThat(saved.names()).hasSize(17 + 1).contains("hook_embed", "blocks.0.attn.hook_pattern");
            for (String name : saved.names()) {
                int[] shape = Arrays.stream(saved.info(name).shape()).mapToInt(Math::toIntExact).toArray();
                assertClose(name, Tensor.of(saved.readFloat32(name), shape), Fixtures.referenceTensor("a", "cache/" + name));
            }
        }
    }

    @Test
    void generateGreedyPrintsPromptAndContinuation() {
        CliRunner.Result r = CliRunner.run("generate", "--model", modelA, "--prompt", "1 2 3 4", "--max-new-tokens", "8", "--greedy");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(Fixtures.reference("a").get("generate_1234").asString() + "\n");
    }

    @Test
    void sampledGenerationIsReproducibleWithASeed() {
        String[] args = {"generate", "--model", modelA, "--prompt", "1 2 3 4", "--max-new-tokens", "6", "--seed", "7", "--top-k", "20"};
        CliRunner.Result first = CliRunner.run(args), second = CliRunner.run(args);
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.out()).isEqualTo(second.out()).startsWith("1 2 3 4");
    }

    // ---- options a newcomer reached for -----------------------------------------------------------------------

    @Test
    void cacheWithoutBosCachesOnlyThePromptsTokens(@TempDir Path dir) {
        Path out = dir.resolve("nobos.safetensors");
        CliRunner.Result r = CliRunner.run("cache", "--model", modelA, "--prompt", "1 2 3 4", "--no-bos", "--out", out.toString(), "--names", "hook_embed");
        assertThat(r.exitCode()).as(r.err()).isZero();
        dev.jlens.model.HookedTransformer m = dev.jlens.model.HookedTransformer.fromPretrained(modelA);
        dev.jlens.tensor.IntTensor ids = m.toTokens("1 2 3 4", false);
        try (Checkpoint saved = Checkpoint.open(out)) {
            Tensor embed = Tensor.of(saved.readFloat32("hook_embed"), Arrays.stream(saved.info("hook_embed").shape()).mapToInt(Math::toIntExact).toArray());
            assertThat(embed.shape()).containsExactly(ids.shape(1), m.cfg().dModel());
            for (int p = 0; p < ids.shape(1); p++) {
                assertClose("row " + p, embed.get(p + ""), m.W_E().get(ids.item(0, p) + ""));
            }
        }
    }

    /** TransformerLens' generate(max_new_tokens=10) */
    @Test
    void generateAddsTenTokensByDefault() {
        CliRunner.Result r = CliRunner.run("generate", "--model", modelA, "--prompt", "1 2 3 4", "--greedy");
        assertThat(r.exitCode()).as(r.err()).isZero();
        dev.jlens.model.HookedTransformer m = dev.jlens.model.HookedTransformer.fromPretrained(modelA);
        assertThat(m.toTokens(r.out().strip(), false).shape(1)).isEqualTo(m.toTokens("1 2 3 4", false).shape(1) + 10);
    }

    @Test
    void generateWithoutBosContinuesFromThePromptAlone() {
        CliRunner.Result r = CliRunner.run("generate", "--model", modelA, "--prompt", "1 2 3 4", "--greedy", "--no-bos", "--max-new-tokens", "6");
        assertThat(r.exitCode()).as(r.err()).isZero();
        dev.jlens.model.HookedTransformer m = dev.jlens.model.HookedTransformer.fromPretrained(modelA);
        // greedy by hand: the argmax of the last position's logits, six times, from the prompt without BOS
        int[] ids = m.toTokens("1 2 3 4", false).row(0);
        for (int step = 0; step < 6; step++) {
            Tensor logits = m.forward(dev.jlens.tensor.IntTensor.of(new int[][] {ids}));
            float[] last = logits.get("0, -1").toArray();
            int best = 0;
            for (int v = 1; v < last.length; v++) if (last[v] > last[best]) best = v;
            ids = Arrays.copyOf(ids, ids.length + 1);
            ids[ids.length - 1] = best;
        }
        assertThat(r.out()).isEqualTo(m.tokenizer().decode(ids) + "\n");
    }

    @Test
    void cacheSaysWhatItWrote(@TempDir Path dir) throws java.io.IOException {
        Path out = dir.resolve("c.safetensors");
        CliRunner.Result r = CliRunner.run("cache", "--model", modelA, "--prompt", "1 2", "--out", out.toString(), "--names", "hook_embed|hook_pos_embed");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).isEqualTo("jlens: wrote " + out + " (2 activations, " + ProgressBar.bytes(java.nio.file.Files.size(out)) + ")\n");
        assertThat(r.out()).isEmpty();
    }

    /** --top-k K lists K top tokens wherever tokens are listed: 0 lists none, as test_prompt(top_k=0). */
    @Test
    void topKZeroListsNoTopTokensInTestPromptAndReport(@TempDir Path dir) throws java.io.IOException {
        CliRunner.Result tp = CliRunner.run("test-prompt", "--model", modelA, "--prompt", "1 2 3 4", "--answer", " 5", "--top-k", "0");
        assertThat(tp.exitCode()).as(tp.err()).isZero();
        assertThat(tp.out()).contains("Rank: ").doesNotContain("Top 0th token");
        Path out = dir.resolve("r.html");
        CliRunner.Result report = CliRunner.run("report", "--spec", "examples/numbers.json", "--model", modelA, "--out", out.toString(), "--top-k", "0");
        assertThat(report.exitCode()).as(report.err()).isZero();
        assertThat(java.nio.file.Files.readString(out)).startsWith("<!DOCTYPE html>");
    }
}
