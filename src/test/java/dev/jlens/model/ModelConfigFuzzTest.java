package dev.jlens.model;

import dev.jlens.Fixtures;
import dev.jlens.testing.Fuzz;
import dev.jlens.testing.RandomCases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * config.json reading on mutated files (both fixtures' config.json, mutated as bytes and as JSON trees): a config
 * whose sizes make sense, or a one-line JlensException naming the file; never another exception, never a hang.
 * The exhaustive variants run 10^5 tries each.
 */
class ModelConfigFuzzTest {
    private static final List<String> FIELDS = List.of("n_embd", "n_head", "n_layer", "n_ctx", "n_positions", "vocab_size", "model_type",
            "activation_function", "layer_norm_epsilon", "scale_attn_by_inverse_layer_idx", "n_inner");
    private static byte[][] originals;
    private static JsonNode[] trees;
    private static Path dir;
    private static Fuzz fuzz;

    @BeforeAll
    static void load() throws IOException {
        originals = new byte[][] {Files.readAllBytes(Fixtures.modelDir("a").resolve("config.json")),
                Files.readAllBytes(Fixtures.modelDir("b").resolve("config.json"))};
        trees = new JsonNode[] {JsonMapper.shared().readTree(originals[0]), JsonMapper.shared().readTree(originals[1])};
        dir = Files.createTempDirectory("jlens-config-fuzz");
        fuzz = new Fuzz(Duration.ofSeconds(20));
    }

    @AfterAll
    static void stop() throws IOException {
        fuzz.close();
        Files.deleteIfExists(dir.resolve("config.json"));
        Files.deleteIfExists(dir);
    }

    private static void readSurvives(byte[] bytes) {
        Path file = dir.resolve("config.json");
        try {
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        fuzz.survives(() -> {
            try {
                ModelConfig c = ModelConfig.fromHuggingFace(file, "fuzz", true);
                assertThat(c.dModel()).isPositive();
                assertThat(c.nHeads()).isPositive();
                assertThat(c.dModel() % c.nHeads()).isZero();
                assertThat(c.nLayers()).isBetween(1, ModelConfig.MAX_LAYERS);
                assertThat(c.nCtx()).isBetween(1, ModelConfig.MAX_CTX);
                assertThat((long) c.dVocab() * c.dModel()).isLessThanOrEqualTo(Integer.MAX_VALUE);
                assertThat((long) c.nCtx() * c.dModel()).isLessThanOrEqualTo(Integer.MAX_VALUE);
                assertThat(c.eps()).isGreaterThan(0f);
            } catch (dev.jlens.JlensException e) {
                assertThat(e.getMessage()).startsWith(file.toString());
                throw e;
            }
        });
    }

    private static byte[] mutatedBytes(Random r) {
        return RandomCases.mutate(r, originals[r.nextInt(2)]);
    }

    private static byte[] mutatedTree(Random r) {
        return Fuzz.mutatedJsonText(r, trees[r.nextInt(2)], FIELDS).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void mutatedBytes() {
        RandomCases.run(81, 300, r -> readSurvives(mutatedBytes(r)));
    }

    @Test
    void mutatedTrees() {
        RandomCases.run(82, 500, r -> readSurvives(mutatedTree(r)));
    }

    @Test
    void arbitraryBytes() {
        RandomCases.run(83, 200, r -> readSurvives(RandomCases.bytes(r, 400)));
    }

    @Tag("exhaustive")
    @Test
    void exhaustiveMutatedBytes() {
        RandomCases.run(91, RandomCases.EXHAUSTIVE, r -> readSurvives(mutatedBytes(r)));
    }

    @Tag("exhaustive")
    @Test
    void exhaustiveMutatedTrees() {
        RandomCases.run(92, RandomCases.EXHAUSTIVE, r -> readSurvives(mutatedTree(r)));
    }
}
