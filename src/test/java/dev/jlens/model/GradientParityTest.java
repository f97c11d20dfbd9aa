package dev.jlens.model;

import dev.jlens.Fixtures;
import dev.jlens.analysis.GradientMetrics;
import dev.jlens.cache.ActivationCache;
import dev.jlens.io.Checkpoint;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code run_with_cache(incl_bwd=True)} on the pet prompt: the gradient of the last position's logit difference at
 * every hook point equals PyTorch autograd's on TransformerLens' model (grad-reference.safetensors).
 */
public class GradientParityTest {
    static List<String> fixtures() {
        return Fixtures.names();
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void everyHookGradientEqualsAutograd(String which) {
        HookedTransformer model = Fixtures.model(which);
        JsonNode pets = Fixtures.reference(which).get("cases").get("pets_sentence_swap");
        IntTensor tokens = IntTensor.of(Fixtures.ints(pets.get("tokens").get(0)), 1, pets.get("tokens").get(0).size());
        IntTensor answers = IntTensor.of(Fixtures.ints(pets.get("answer_tokens").get(0)), 1, 2);
        ActivationCache cache = model.runWithCache(tokens, CacheOptions.ALL.withRemoveBatchDim(true)
                .withInclBwd(GradientMetrics.logitDiff(answers))).cache();
        int checked = 0;
        for (String name : gradientNames(which)) {
            String hook = name.substring("grad/".length());
            assertGradientClose(hook, cache.get(hook + "_grad"), gradient(which, name));
            checked++;
        }
        assertThat(checked).isEqualTo(model.cfg().nLayers() * 17 + 5);
    }

    static List<String> gradientNames(String which) {
        try (Checkpoint ref = Checkpoint.open(file(which))) {
            return ref.names().stream().filter(n -> n.startsWith("grad/")).toList();
        }
    }

    public static Tensor gradient(String which, String name) {
        try (Checkpoint ref = Checkpoint.open(file(which))) {
            int[] shape = Arrays.stream(ref.info(name).shape()).mapToInt(Math::toIntExact).toArray();
            return Tensor.of(ref.readFloat32(name), shape);
        }
    }

    private static java.nio.file.Path file(String which) {
        return Fixtures.root().resolve("tiny-gpt2-" + which + "-ref/grad-reference.safetensors");
    }

    /** The gradient fixtures' tolerance: |a - b| <= 1e-4 max(1, max|b|) + 1e-3 |b|. */
    public static void assertGradientClose(String what, Tensor actual, Tensor expected) {
        assertThat(actual.shape()).as(what + " shape").containsExactly(expected.shape());
        float[] a = actual.toArray(), b = expected.toArray();
        double max = 1;
        for (float x : b) max = Math.max(max, Math.abs(x));
        for (int i = 0; i < a.length; i++) {
            double tol = 1e-4 * max + 1e-3 * Math.abs(b[i]);
            if (!(Math.abs(a[i] - b[i]) <= tol)) {
                throw new AssertionError(what + "[" + i + "]: " + a[i] + " vs " + b[i] + " (tolerance " + tol + ")");
            }
        }
    }
}
