package dev.jlens.patching;

import dev.jlens.analysis.LogitDiff;

import dev.jlens.Fixtures;
import dev.jlens.cache.ActivationCache;
import dev.jlens.model.HookedTransformer;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The patching engine (which recomputes only what a patch can change) against the plain sweep (a full
 * forward pass per index with a hook), on every patching kind: the same numbers, bit for bit.
 */
class FastPatchingTest {
    static Stream<Arguments> kindsAndCases() {
        List<Arguments> out = new ArrayList<>();
        for (String which : Fixtures.names()) {
            for (PatchKind kind : PatchKind.values()) {
                // the dest x src pattern sweep is pos^2 runs per head: keep it to the short case
                List<String> cases = kind == PatchKind.ATTN_HEAD_PATTERN_DEST_SRC_POS || kind == PatchKind.ATTN_HEAD_BY_POS_EVERY
                        ? List.of("numbers") : List.of("numbers", "ioi");
                for (String c : cases) out.add(Arguments.of(which, c, kind));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("kindsAndCases")
    void engineEqualsThePlainSweep(String which, String caseName, PatchKind kind) {
        HookedTransformer model = Fixtures.model(which);
        JsonNode c = Fixtures.reference(which).get("cases").get(caseName);
        IntTensor clean = model.toTokens(Fixtures.strings(c.get("prompts")));
        IntTensor corrupted = model.toTokens(Fixtures.strings(c.get("corrupted_prompts")));
        int[][] answers = new int[c.get("answer_tokens").size()][];
        for (int i = 0; i < answers.length; i++) answers[i] = Fixtures.ints(c.get("answer_tokens").get(i));
        IntTensor answerTokens = IntTensor.of(answers);
        ActivationCache cleanCache = model.runWithCache(clean).cache();
        float cleanDiff = LogitDiff.average(model.forward(clean), answerTokens);
        float corruptedDiff = LogitDiff.average(model.forward(corrupted), answerTokens);
        Patching patching = new Patching(model, corrupted, cleanCache, LogitDiff.normalized(answerTokens, cleanDiff, corruptedDiff));

        Tensor fast = kind.run(patching);
        Tensor plain = kind.run(patching.plain());
        assertThat(fast.shape()).containsExactly(plain.shape());
        float[] f = fast.toArray(), p = plain.toArray();
        for (int i = 0; i < f.length; i++) {
            assertThat(Float.floatToRawIntBits(f[i])).as("%s %s %s, flat index %d: engine %s, plain %s", which, caseName, kind, i, f[i], p[i])
                    .isEqualTo(Float.floatToRawIntBits(p[i]));
        }
    }
}
