package dev.jlens;

import dev.jlens.io.Checkpoint;
import dev.jlens.model.HookedTransformer;
import dev.jlens.model.WeightProcessing;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The non-GPT-2 fixtures (fixtures/arch: tiny random GPT-NeoX, Llama and Gemma 2 checkpoints and what
 * TransformerLens 3.5.1 computed for them; see its README), loaded once per test JVM.
 */
public final class ArchFixtures {
    private static final Map<String, HookedTransformer> MODELS = new ConcurrentHashMap<>();
    private static final Map<String, JsonNode> REFERENCES = new ConcurrentHashMap<>();

    private ArchFixtures() {}

    public static List<String> names() {
        return List.of("tiny-neox-a", "tiny-lm-rms-a", "tiny-gm2-a");
    }

    public static Path dir(String name) {
        return Fixtures.root().resolve("arch").resolve(name);
    }

    public static HookedTransformer model(String name) {
        return MODELS.computeIfAbsent(name, n -> HookedTransformer.fromFolder(dir(n)));
    }

    public static HookedTransformer unprocessedModel(String name) {
        return MODELS.computeIfAbsent(name + "-raw", n -> HookedTransformer.fromFolder(dir(name), WeightProcessing.Options.NONE));
    }

    public static JsonNode reference(String name) {
        return REFERENCES.computeIfAbsent(name, n -> {
            try {
                return JsonMapper.builder().build().readTree(Files.readString(dir(n + "-ref").resolve("reference.json")));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    public static Tensor referenceTensor(String name, String tensor) {
        try (Checkpoint ref = Checkpoint.open(dir(name + "-ref").resolve("reference.safetensors"))) {
            int[] shape = Arrays.stream(ref.info(tensor).shape()).mapToInt(Math::toIntExact).toArray();
            return Tensor.of(ref.readFloat32(tensor), shape);
        }
    }

    public static List<String> referenceTensorNames(String name) {
        try (Checkpoint ref = Checkpoint.open(dir(name + "-ref").resolve("reference.safetensors"))) {
            return new ArrayList<>(ref.names());
        }
    }

    /** A token list of reference.json ({@code tokens}, {@code corrupted_tokens}, {@code answer_tokens}) as [rows, ids]. */
    public static IntTensor tokens(String name, String field) {
        JsonNode rows = reference(name).get(field);
        int[][] out = new int[rows.size()][];
        for (int i = 0; i < out.length; i++) out[i] = Fixtures.ints(rows.get(i));
        return IntTensor.of(out);
    }
}
