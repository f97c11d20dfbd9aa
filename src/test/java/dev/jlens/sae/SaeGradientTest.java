package dev.jlens.sae;

import dev.jlens.Fixtures;
import dev.jlens.analysis.GradientMetrics;
import dev.jlens.cache.ActivationCache;
import dev.jlens.hooks.Hook;
import dev.jlens.model.CacheOptions;
import dev.jlens.model.HookedTransformer;
import dev.jlens.model.LogitMetric;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Gradients through spliced SAEs, as PyTorch differentiates SAELens' forward: at every SAE hook point of the seven
 * fixture SAEs (spliced in together, so they feed each other), the gradient equals the central differences of an
 * independent float64 SAE ({@link ReferenceSae}) contracted with the gradient at {@code hook_sae_output} of the same
 * run. With the error term the error is a constant: the gradient goes through the reconstruction only.
 */
class SaeGradientTest {
    private static final List<String> SAES = List.of("standard-legacy", "standard", "gated", "jumprelu", "topk", "standard-constnorm", "topk-v5-layernorm");
    private final HookedTransformer plain = Fixtures.model("a");
    private final IntTensor tokens = IntTensor.of(Fixtures.ints(SaeFixtures.reference().get("tokens")), 1, -1);
    private final LogitMetric metric = GradientMetrics.logitDiff(IntTensor.of(Fixtures.ints(SaeFixtures.reference().get("answer_tokens")), 1, 2));

    @ParameterizedTest(name = "use_error_term {0}")
    @ValueSource(booleans = {false, true})
    void theGradientAtEverySaeHookPointIsThatOfSaeLensForward(boolean useErrorTerm) {
        HookedTransformer spliced = Saes.withSaes(plain, useErrorTerm, SAES.stream().map(f -> Sae.load(SaeFixtures.folder(f))).toList());
        ActivationCache cache = spliced.runWithCache(tokens, CacheOptions.ALL.withRemoveBatchDim(true).withInclBwd(metric)).cache();
        for (String folder : SAES) {
            ReferenceSae ref = new ReferenceSae(folder);
            String hook = SaeFixtures.reference().get("saes").get(folder).get("hook_name").asString();
            Tensor x = cache.get(hook), gOut = cache.get(hook + ".hook_sae_output_grad");
            int positions = x.shape(0);
            double[][] gInput = new double[positions][], gPost = new double[positions][], gPre = new double[positions][];
            for (int p = 0; p < positions; p++) {
                double[] xp = row(x, p), gp = row(gOut, p);
                double[] s = ref.centered(xp), pre = ref.pre(s), post = ref.post(pre, s);
                gInput[p] = ReferenceSae.gradient(ref::forward, xp, gp);
                gPost[p] = ReferenceSae.gradient(a -> ref.decode(a, xp), post, gp);
                Function<double[], double[]> fromPre = a -> ref.decode(ref.post(a, s), xp);
                gPre[p] = ReferenceSae.gradient(fromPre, pre, gp);
            }
            assertMatters(folder, gInput);
            SaeFixtures.assertClose(folder + ": " + hook + "_grad", cache.get(hook + "_grad"), tensor(gInput));
            SaeFixtures.assertClose(folder + ": hook_sae_input_grad", cache.get(hook + ".hook_sae_input_grad"), tensor(gInput));
            SaeFixtures.assertClose(folder + ": hook_sae_acts_post_grad", cache.get(hook + ".hook_sae_acts_post_grad"), tensor(gPost));
            SaeFixtures.assertClose(folder + ": hook_sae_acts_pre_grad", cache.get(hook + ".hook_sae_acts_pre_grad"), tensor(gPre));
            // the error term is computed under no_grad: no gradient reaches it
            assertThat(cache.keys()).doesNotContain(hook + ".hook_sae_error_grad");
        }
    }

    @Test
    void withTheErrorTermTheGradientAtTheSaeOutputIsThePlainModelsAtItsHookPoint() {
        for (String folder : List.of("standard", "topk-v5-layernorm")) {
            String hook = SaeFixtures.reference().get("saes").get(folder).get("hook_name").asString();
            CacheOptions options = CacheOptions.ALL.withRemoveBatchDim(true).withInclBwd(metric);
            Tensor expected = plain.runWithCache(tokens, options.withNamesFilter(CacheOptions.names(hook))).cache().get(hook + "_grad");
            ActivationCache cache = Saes.withSaes(plain, true, Sae.load(SaeFixtures.folder(folder))).runWithCache(tokens, options).cache();
            SaeFixtures.assertClose(folder + ": hook_sae_output_grad", cache.get(hook + ".hook_sae_output_grad"), expected);
        }
    }

    @Test
    void aFeatureAblatedByAHookIsAConstantSoItsPreActivationGetsNoGradient() {
        String hook = "blocks.2.hook_mlp_out";
        Tensor acts = SaeFixtures.tensor("reference.safetensors", "standard/" + hook + ".hook_sae_acts_post");
        int position = acts.shape(0) - 1, feature = 0;
        while (!(acts.item(position, feature) > 0)) feature++;
        int f = feature;
        HookedTransformer spliced = Saes.withSaes(plain, true, Sae.load(SaeFixtures.folder("standard")));
        CacheOptions options = CacheOptions.ALL.withRemoveBatchDim(true).withInclBwd(metric);
        ActivationCache before = spliced.runWithCache(tokens, options).cache();
        ActivationCache after = spliced.withHooks(Hook.of(hook + ".hook_sae_acts_post", (a, h) -> {
            a.put(0f, 0, position, f);
            return a;
        })).runWithCache(tokens, options).cache();
        assertThat(before.get(hook + ".hook_sae_acts_pre_grad").item(position, f)).isNotZero();
        assertThat(after.get(hook + ".hook_sae_acts_pre_grad").item(position, f)).isZero();
        // the gradient of the (ablated) activation itself is still there: it is what attribution of the ablation reads
        assertThat(after.get(hook + ".hook_sae_acts_post_grad").item(position, f)).isNotZero();
    }

    @Test
    void aBackwardHookThatZeroesTheFeaturesGradientLeavesNoneForTheInputWithTheErrorTerm() {
        String hook = "blocks.2.hook_mlp_out";
        HookedTransformer spliced = Saes.withSaes(plain, true, Sae.load(SaeFixtures.folder("standard")))
                .withHooks(Hook.backward(hook + ".hook_sae_acts_post", (g, h) -> Tensor.zeros(g.shape())));
        Tensor g = spliced.runWithCache(tokens, CacheOptions.ALL.withRemoveBatchDim(true).withInclBwd(metric)).cache().get(hook + "_grad");
        // SAELens: the error term is a constant, so the gradient reaches the activation only through the features
        assertThat(g.abs().max()).isZero();
    }

    private static void assertMatters(String what, double[][] g) {
        double max = 0;
        for (double[] r : g) for (double v : r) max = Math.max(max, Math.abs(v));
        assertThat(max).as(what + ": the gradient is large enough for the tolerance to tell").isGreaterThan(1e-2);
    }

    private static double[] row(Tensor t, int p) {
        double[] out = new double[t.shape(1)];
        for (int i = 0; i < out.length; i++) out[i] = t.item(p, i);
        return out;
    }

    private static Tensor tensor(double[][] rows) {
        float[] v = new float[rows.length * rows[0].length];
        for (int p = 0; p < rows.length; p++) for (int i = 0; i < rows[p].length; i++) v[p * rows[p].length + i] = (float) rows[p][i];
        return Tensor.of(v, rows.length, rows[0].length);
    }
}
