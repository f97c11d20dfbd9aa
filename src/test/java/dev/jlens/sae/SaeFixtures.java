package dev.jlens.sae;

import dev.jlens.Fixtures;
import dev.jlens.io.Checkpoint;
import dev.jlens.tensor.Tensor;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SAE fixtures (src/test/resources/fixtures/saes/tiny-gpt2-a): random SAEs in SAELens' layout for fixture model A,
 * and what SAELens 6.18's semantics give when they are spliced in, computed in float64.
 */
public final class SaeFixtures {
    private static JsonNode reference;

    private SaeFixtures() {
    }

    public static Path root() {
        return Fixtures.root().resolve("saes/tiny-gpt2-a");
    }

    public static Path folder(String sae) {
        return root().resolve(sae);
    }

    public static synchronized JsonNode reference() {
        if (reference == null) {
            try {
                reference = JsonMapper.builder().build().readTree(Files.readString(root().resolve("reference.json")));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return reference;
    }

    /** A tensor of {@code reference.safetensors} (or another file under the root). */
    public static Tensor tensor(String file, String key) {
        try (Checkpoint c = Checkpoint.open(root().resolve(file))) {
            int[] shape = Arrays.stream(c.info(key).shape()).mapToInt(Math::toIntExact).toArray();
            return Tensor.of(c.readFloat32(key), shape);
        }
    }

    /** The fixtures' tolerance: |a - b| <= 1e-4 max(1, max|b|) + 1e-3 |b|. */
    public static void assertClose(String what, Tensor actual, Tensor expected) {
        assertThat(actual.shape()).as(what + ": shape").isEqualTo(expected.shape());
        float[] a = actual.toArray(), b = expected.toArray();
        double maxAbs = 0;
        for (float v : b) maxAbs = Math.max(maxAbs, Math.abs(v));
        double atol = 1e-4 * Math.max(1, maxAbs);
        for (int i = 0; i < a.length; i++) {
            double diff = Math.abs((double) a[i] - b[i]);
            if (!(diff <= atol + 1e-3 * Math.abs(b[i]))) {
                throw new AssertionError(what + ": at flat index " + i + " got " + a[i] + ", expected " + b[i] + " (max |expected| " + maxAbs + ")");
            }
        }
    }

    /** Each row minus its mean (logits are compared so: TransformerLens centers the unembedding). */
    public static Tensor centered(Tensor rows) {
        return rows.sub(rows.mean(-1, true));
    }
}
