package dev.jlens.model;

import dev.jlens.Fixtures;
import dev.jlens.JlensException;
import dev.jlens.analysis.GradientMetrics;
import dev.jlens.cache.ActivationCache;
import dev.jlens.hooks.Hook;
import dev.jlens.hooks.HookFunction;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Backward hooks, forward hooks in a gradient run, and the paths a run without attention hooks takes. */
class GradientHooksTest {
    static List<String> fixtures() {
        return Fixtures.names();
    }

    static IntTensor petTokens(String which) {
        JsonNode t = Fixtures.reference(which).get("cases").get("pets_sentence_swap").get("tokens").get(0);
        return IntTensor.of(Fixtures.ints(t), 1, t.size());
    }

    static IntTensor petAnswers(String which) {
        return IntTensor.of(Fixtures.ints(Fixtures.reference(which).get("cases").get("pets_sentence_swap").get("answer_tokens").get(0)), 1, 2);
    }

    /** Gradients read by backward hooks on the residual stream only, batch dimension removed. */
    private static Map<String, Tensor> residualGradients(HookedTransformer model, String which) {
        Map<String, Tensor> seen = new HashMap<>();
        List<Hook> hooks = List.of(Hook.backwardMatching(n -> n.contains("resid") || n.equals("hook_embed") || n.equals("unembed.hook_in"),
                HookFunction.reading((g, hook) -> seen.put(hook.name(), g.get(0)))));
        model.runWithGradient(petTokens(which), GradientMetrics.logitDiff(petAnswers(which)), hooks);
        return seen;
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void withoutAttentionHooksTheResidualGradientsEqualAutograd(String which) {
        Map<String, Tensor> seen = residualGradients(Fixtures.model(which), which);
        assertThat(seen).hasSize(3 * Fixtures.model(which).cfg().nLayers() + 2);
        seen.forEach((name, g) -> GradientParityTest.assertGradientClose(name, g, GradientParityTest.gradient(which, "grad/" + name)));
    }

    /**
     * The unprocessed model computes the same function of the residual stream up to what its layer norms remove,
     * and every residual gradient it gets is orthogonal to that, so it equals the processed model's.
     */
    @ParameterizedTest
    @MethodSource("fixtures")
    void theUnprocessedModelHasTheSameResidualGradients(String which) {
        Map<String, Tensor> seen = residualGradients(Fixtures.unprocessedModel(which), which);
        seen.remove("unembed.hook_in");  // after ln_final's weights, which processing folds into W_U
        seen.forEach((name, g) -> GradientParityTest.assertGradientClose(name, g, GradientParityTest.gradient(which, "grad/" + name)));
    }

    @Test
    void zeroingTheGradientAtResidPostOfBlockZeroLeavesZeroAtEveryEarlierPoint() {
        HookedTransformer model = Fixtures.model("a");
        Hook zero = Hook.backward("blocks.0.hook_resid_post", (g, hook) -> Tensor.zeros(g.shape()));
        ActivationCache cache = model.runWithCache(petTokens("a"), CacheOptions.ALL.withHooks(List.of(zero))
                .withInclBwd(GradientMetrics.logitDiff(petAnswers("a")))).cache();
        List<String> earlier = new ArrayList<>(List.of("hook_embed", "hook_pos_embed"));
        for (String name : model.hookPoints()) if (name.startsWith("blocks.0.") && !name.equals("blocks.0.hook_resid_post")) earlier.add(name);
        int checked = 0;
        for (String name : earlier) {
            if (!cache.contains(name + "_grad")) continue;
            assertThat(maxAbs(cache.get(name + "_grad"))).as(name).isZero();
            checked++;
        }
        assertThat(checked).isEqualTo(16 + 2);
        // the cache reads after the hook, as forward caching reads after earlier hooks
        assertThat(maxAbs(cache.get("blocks.0.hook_resid_post_grad"))).isZero();
        assertThat(maxAbs(cache.get("blocks.1.hook_resid_pre_grad"))).isPositive();
    }

    @Test
    void aBackwardHookNeverOutlivesItsRunAlsoWhenItThrows() {
        HookedTransformer model = Fixtures.model("a");
        LogitMetric metric = GradientMetrics.logitDiff(petAnswers("a"));
        AtomicInteger calls = new AtomicInteger();
        model.runWithGradient(petTokens("a"), metric, List.of(Hook.backward("blocks.1.hook_mlp_out", HookFunction.reading((g, h) -> calls.incrementAndGet()))));
        assertThat(calls).hasValue(1);
        assertThatThrownBy(() -> model.runWithGradient(petTokens("a"), metric, List.of(Hook.backward("blocks.1.attn.hook_z", (g, h) -> {
            calls.incrementAndGet();
            throw new IllegalStateException("hook failed");
        })))).hasMessage("hook failed");
        assertThat(calls).hasValue(2);
        model.runWithGradient(petTokens("a"), metric, List.of());
        model.runWithCache(petTokens("a"), CacheOptions.ALL.withInclBwd(metric));
        assertThat(calls).hasValue(2);
    }

    @Test
    void aBackwardHookReplacingTheGradientChangesEverythingBeforeIt() {
        HookedTransformer model = Fixtures.model("a");
        LogitMetric metric = GradientMetrics.logitDiff(petAnswers("a"));
        Tensor plain = model.runWithGradient(petTokens("a"), metric, List.of()).inputGradient();
        Tensor doubled = model.runWithGradient(petTokens("a"), metric,
                List.of(Hook.backward("blocks.2.hook_resid_pre", (g, h) -> g.mul(2f)))).inputGradient();
        float[] p = plain.toArray(), d = doubled.toArray();
        for (int i = 0; i < p.length; i++) assertThat((double) d[i]).isCloseTo(2.0 * p[i], org.assertj.core.data.Offset.offset(1e-5 + 1e-5 * Math.abs(p[i])));
    }

    @Test
    void anActivationAForwardHookReplacedIsAConstant() {
        HookedTransformer model = Fixtures.model("a");
        // every position of block 1's input replaced: nothing before it can change the metric any more
        Hook patch = Hook.of("blocks.1.hook_resid_pre", (act, h) -> Tensor.zeros(act.shape()).add(0.5f));
        Map<String, Tensor> seen = new HashMap<>();
        model.runWithGradient(petTokens("a"), GradientMetrics.logitDiff(petAnswers("a")), List.of(patch,
                Hook.backwardMatching(n -> n.equals("hook_embed") || n.equals("blocks.1.hook_resid_pre"), HookFunction.reading((g, h) -> seen.put(h.name(), g.copy())))));
        assertThat(maxAbs(seen.get("hook_embed"))).isZero();
        assertThat(maxAbs(seen.get("blocks.1.hook_resid_pre"))).isPositive();
    }

    @Test
    void aMetricGradientOfTheWrongShapeIsRefusedInOneLine() {
        HookedTransformer model = Fixtures.model("a");
        LogitMetric wrong = LogitMetric.of(logits -> 0, logits -> Tensor.zeros(3));
        assertThatThrownBy(() -> model.runWithGradient(petTokens("a"), wrong, List.of()))
                .isInstanceOf(JlensException.class)
                .hasMessage("metric gradient: shape [3] where the logits have shape [1, 38, 50257]");
    }

    private static double maxAbs(Tensor t) {
        double m = 0;
        for (float x : t.toArray()) m = Math.max(m, Math.abs(x));
        return m;
    }
}
