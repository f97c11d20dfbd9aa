package dev.jlens.patching;

import dev.jlens.ArchFixtures;
import dev.jlens.Fixtures;
import dev.jlens.analysis.LogitDiff;
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
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Activation patching on GPT-NeoX, Llama (rotary, grouped-query attention) and Gemma 2: TransformerLens'
 * results where the fixtures have them, and the fast engine equal to the plain sweep on every kind.
 */
class ArchitecturePatchingTest {
    private static final Map<String, PatchKind> RECORDED = Map.of(
            "get_act_patch_resid_pre", PatchKind.RESID_PRE, "get_act_patch_resid_mid", PatchKind.RESID_MID,
            "get_act_patch_attn_out", PatchKind.ATTN_OUT, "get_act_patch_mlp_out", PatchKind.MLP_OUT,
            "get_act_patch_attn_head_out_all_pos", PatchKind.ATTN_HEAD_OUT_ALL_POS);

    static Stream<Arguments> recorded() {
        List<Arguments> out = new ArrayList<>();
        for (String name : ArchFixtures.names()) for (String fn : RECORDED.keySet()) out.add(Arguments.of(name, fn));
        return out.stream();
    }

    static Stream<Arguments> kinds() {
        List<Arguments> out = new ArrayList<>();
        for (String name : ArchFixtures.names()) {
            for (PatchKind kind : PatchKind.values()) {
                if (kind == PatchKind.RESID_MID && name.equals("tiny-neox-a")) continue;  // no resid_mid: refused, below
                out.add(Arguments.of(name, kind));
            }
        }
        return out.stream();
    }

    /** A kind that patches keys or values per head, on a model with grouped-query attention. */
    private static boolean perGroupedHead(String name, PatchKind kind) {
        var cfg = ArchFixtures.model(name).cfg();
        if (cfg.nKeyValueHeads() == cfg.nHeads()) return false;
        List<PatchKind> singles = kind.parts().isEmpty() ? List.of(kind) : kind.parts().stream().map(PatchKind.Part::kind).toList();
        return singles.stream().anyMatch(k -> k.sweep().map(s -> s.site() == PatchSite.K || s.site() == PatchSite.V).orElse(false)
                && k.axes().contains(Patching.Axis.HEAD));
    }

    /** The pets prompt shortened to its last 12 tokens: the pattern kinds run pos^2 patches per head. */
    private static IntTensor shortened(IntTensor tokens, int keep) {
        int pos = tokens.shape(1);
        int[] row = new int[keep];
        for (int i = 0; i < keep; i++) row[i] = tokens.item(0, pos - keep + i);
        return IntTensor.of(new int[][] {row});
    }

    private static Patching patching(String name, int keep) {
        HookedTransformer model = ArchFixtures.model(name);
        IntTensor clean = ArchFixtures.tokens(name, "tokens"), corrupted = ArchFixtures.tokens(name, "corrupted_tokens");
        if (keep > 0) {
            clean = shortened(clean, keep);
            corrupted = shortened(corrupted, keep);
        }
        IntTensor answers = ArchFixtures.tokens(name, "answer_tokens");
        ActivationCache cleanCache = model.runWithCache(clean).cache();
        float cleanDiff = LogitDiff.average(model.forward(clean), answers);
        float corruptedDiff = LogitDiff.average(model.forward(corrupted), answers);
        return new Patching(model, corrupted, cleanCache, LogitDiff.normalized(answers, cleanDiff, corruptedDiff));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("recorded")
    void patchingEqualsTransformerLens(String name, String function) {
        JsonNode patching = ArchFixtures.reference(name).get("patching");
        PatchKind kind = RECORDED.get(function);
        if (patching.has(function + "_error")) {
            assertThat(patching.get(function + "_error").asString()).contains("hook_resid_mid");
            assertThatThrownBy(() -> kind.run(patching(name, 0))).hasMessageContaining("hook_resid_mid");
            return;
        }
        // The recorded values are the normalized metric minus 1 (0 where a patch restores the clean logit
        // difference, -1 where it changes nothing), and these models' clean and corrupted logit differences are
        // close (0.005 apart for NeoX), which magnifies rounding 200-fold: compared as logit differences.
        JsonNode ref = ArchFixtures.reference(name);
        double clean = ref.get("logit_diff").asDouble(), span = clean - ref.get("corrupted_logit_diff").asDouble();
        float[] expected = Fixtures.floats(patching.get(function));
        for (int i = 0; i < expected.length; i++) expected[i] = (float) (clean + expected[i] * span);
        for (Patching p : List.of(patching(name, 0), patching(name, 0).plain())) {
            Tensor result = kind.run(p);
            assertThat(result.shape()).containsExactly(Fixtures.ints(patching.get(function + "_shape")));
            float[] logitDiffs = result.toArray();
            for (int i = 0; i < logitDiffs.length; i++) logitDiffs[i] = (float) (clean + (logitDiffs[i] - 1) * span);
            Fixtures.assertClose(name + " " + function + " as logit differences", logitDiffs, expected);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("kinds")
    void engineEqualsThePlainSweep(String name, PatchKind kind) {
        Patching patching = patching(name, 12);
        if (perGroupedHead(name, kind)) {
            // TransformerLens indexes hook_k and hook_v [pos, n_key_value_heads, d_head] by query head and fails
            assertThatThrownBy(() -> kind.run(patching)).hasMessageContaining("per head is not defined with grouped-query attention");
            assertThatThrownBy(() -> kind.run(patching.plain())).hasMessageContaining("per head is not defined with grouped-query attention");
            return;
        }
        Tensor fast = kind.run(patching);
        Tensor plain = kind.run(patching.plain());
        assertThat(fast.shape()).containsExactly(plain.shape());
        float[] f = fast.toArray(), p = plain.toArray();
        for (int i = 0; i < f.length; i++) {
            assertThat(Float.floatToRawIntBits(f[i])).as("%s %s, flat index %d: engine %s, plain %s", name, kind, i, f[i], p[i])
                    .isEqualTo(Float.floatToRawIntBits(p[i]));
        }
    }
}
