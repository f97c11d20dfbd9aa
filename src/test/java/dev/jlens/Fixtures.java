package dev.jlens;

import dev.jlens.io.Checkpoint;
import dev.jlens.model.HookedTransformer;
import dev.jlens.model.WeightProcessing;
import dev.jlens.tensor.Tensor;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reference fixtures: two tiny GPT-2 checkpoints in real Hugging Face layouts (A: safetensors with the
 * {@code transformer.} prefix; B: pytorch_model.bin in the legacy hub layout) and what TransformerLens 3.5.1
 * computed for them. Models and references are loaded once per test JVM.
 */
public final class Fixtures {
    /** The fixtures' tolerance: |a - b| <= 1e-4 + 1e-4 |b|. */
    public static final double ATOL = 1e-4, RTOL = 1e-4;

    /** The seed's pet prompt, which the cached activations were computed on. */
    public static final String PET_PROMPT = "Mary is a human. Fido is a dog. The pet of this family is Fido. Rachel is a human. Pebbles is a cat. The pet of this family is";

    private static final Map<String, HookedTransformer> MODELS = new ConcurrentHashMap<>();
    private static final Map<String, JsonNode> REFERENCES = new ConcurrentHashMap<>();

    private Fixtures() {}

    public static List<String> names() {
        return List.of("a", "b");
    }

    public static Path root() {
        try {
            return Path.of(Fixtures.class.getResource("/fixtures/README.md").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Path modelDir(String which) {
        return root().resolve("tiny-gpt2-" + which);
    }

    public static HookedTransformer model(String which) {
        return MODELS.computeIfAbsent(which, w -> HookedTransformer.fromFolder(modelDir(w)));
    }

    public static HookedTransformer unprocessedModel(String which) {
        return MODELS.computeIfAbsent(which + "-raw", w -> HookedTransformer.fromFolder(modelDir(which), WeightProcessing.Options.NONE));
    }

    public static JsonNode reference(String which) {
        return REFERENCES.computeIfAbsent(which, w -> {
            try {
                return JsonMapper.builder().build().readTree(Files.readString(root().resolve("tiny-gpt2-" + w + "-ref/reference.json")));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** A tensor of {@code reference.safetensors}, e.g. {@code cache/blocks.0.attn.hook_q}. */
    public static Tensor referenceTensor(String which, String name) {
        try (Checkpoint ref = Checkpoint.open(root().resolve("tiny-gpt2-" + which + "-ref/reference.safetensors"))) {
            int[] shape = Arrays.stream(ref.info(name).shape()).mapToInt(Math::toIntExact).toArray();
            return Tensor.of(ref.readFloat32(name), shape);
        }
    }

    public static List<String> referenceTensorNames(String which) {
        try (Checkpoint ref = Checkpoint.open(root().resolve("tiny-gpt2-" + which + "-ref/reference.safetensors"))) {
            return new ArrayList<>(ref.names());
        }
    }

    public static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asString()));
        return out;
    }

    public static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asInt();
        return out;
    }

    public static float[] floats(JsonNode array) {
        List<Float> flat = new ArrayList<>();
        flatten(array, flat);
        float[] out = new float[flat.size()];
        for (int i = 0; i < out.length; i++) out[i] = flat.get(i);
        return out;
    }

    private static void flatten(JsonNode n, List<Float> out) {
        if (n.isArray()) n.forEach(c -> flatten(c, out));
        else out.add((float) n.asDouble());
    }

    /** Asserts the fixtures' tolerance elementwise, naming the first differing index. */
    public static void assertClose(String what, float[] actual, float[] expected) {
        assertThat(actual.length).as(what + ": number of values").isEqualTo(expected.length);
        for (int i = 0; i < actual.length; i++) {
            float a = actual[i], b = expected[i];
            if (a == b) continue;
            double diff = Math.abs(a - b);
            assertThat(diff <= ATOL + RTOL * Math.abs(b))
                    .as("%s[%d]: %s vs reference %s (|diff| %s)", what, i, a, b, diff).isTrue();
        }
    }

    public static void assertClose(String what, float actual, double expected) {
        assertClose(what, new float[] {actual}, new float[] {(float) expected});
    }

    public static void assertClose(String what, Tensor actual, Tensor expected) {
        assertThat(actual.shape()).as(what + ": shape").containsExactly(expected.shape());
        assertClose(what, actual.toArray(), expected.toArray());
    }
}
