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
}
