package dev.jlens.patching;

import dev.jlens.Fixtures;
import dev.jlens.io.Checkpoint;
import dev.jlens.model.GradientParityTest;
import dev.jlens.model.HookedTransformer;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Attribution patching of every kind with a reference (<case>/attr_<kind>) on the four cases of both fixtures. */
class AttributionParityTest {
    static List<String> fixtures() {
        return Fixtures.names();
    }

    static IntTensor tokens(JsonNode rows) {
        int[][] r = new int[rows.size()][];
        for (int i = 0; i < r.length; i++) r[i] = Fixtures.ints(rows.get(i));
        return IntTensor.of(r);
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void everyReferencedKindEqualsAutograd(String which) {
        HookedTransformer model = Fixtures.model(which);
        int checked = 0;
        try (Checkpoint ref = Checkpoint.open(Fixtures.root().resolve("tiny-gpt2-" + which + "-ref/grad-reference.safetensors"))) {
            for (String caseName : List.of("pets_sentence_swap", "pets_word_swap", "ioi", "numbers")) {
                JsonNode c = Fixtures.reference(which).get("cases").get(caseName);
                Attribution a = Attribution.ofLogitDiff(model, tokens(c.get("tokens")), tokens(c.get("corrupted_tokens")), tokens(c.get("answer_tokens")));
                for (String name : ref.names()) {
                    if (!name.startsWith(caseName + "/attr_")) continue;
                    PatchKind kind = PatchKind.byId(name.substring(name.indexOf("/attr_") + 6)).orElseThrow();
                    int[] shape = Arrays.stream(ref.info(name).shape()).mapToInt(Math::toIntExact).toArray();
                    GradientParityTest.assertGradientClose(name, kind.attribute(a), Tensor.of(ref.readFloat32(name), shape));
                    checked++;
                }
            }
        }
        assertThat(checked).isEqualTo(4 * 9);
    }
}
