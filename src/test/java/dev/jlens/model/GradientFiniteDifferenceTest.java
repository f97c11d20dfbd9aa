package dev.jlens.model;

import dev.jlens.Fixtures;
import dev.jlens.analysis.GradientMetrics;
import dev.jlens.hooks.Hook;
import dev.jlens.hooks.HookFunction;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Each backward kernel against double-precision central differences of the float32 model (fixture b: tiny,
 * random weights, layer norm weights and biases randomised), processed (LNPre) and unprocessed (LN with weight
 * and bias): the gradient at the hook point right after each kernel, at its largest entries and at one more,
 * equals (metric(x + h) - metric(x - h)) / 2h with the activation moved by a forward hook.
 */
class GradientFiniteDifferenceTest {
    private static final double H = 1e-2;
    /** The hook point after each kernel: layer norm (scale, normalized), q/k/v products, scores, softmax, values, W_O, gelu_new, W_in, W_out, ln_final, unembed. */
    private static final List<String> POINTS = List.of("hook_embed", "blocks.1.hook_resid_pre", "blocks.1.ln1.hook_scale", "blocks.1.ln1.hook_normalized",
            "blocks.1.attn.hook_q", "blocks.1.attn.hook_k", "blocks.1.attn.hook_v", "blocks.1.attn.hook_attn_scores", "blocks.1.attn.hook_pattern",
            "blocks.1.attn.hook_z", "blocks.1.hook_attn_out", "blocks.1.hook_resid_mid", "blocks.1.ln2.hook_scale", "blocks.1.ln2.hook_normalized",
            "blocks.1.mlp.hook_pre", "blocks.1.mlp.hook_post", "blocks.1.hook_mlp_out", "blocks.2.hook_resid_post",
            "ln_final.hook_scale", "ln_final.hook_normalized", "unembed.hook_in");

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void everyKernelsGradientEqualsCentralDifferences(boolean processed) {
        HookedTransformer model = processed ? Fixtures.model("b") : Fixtures.unprocessedModel("b");
        IntTensor tokens = model.toTokens("Rachel is a human. Pebbles is a cat. The pet is");
        IntTensor answers = IntTensor.of(new int[] {42507, 15984}, 1, 2);
        Map<String, Tensor> grads = new HashMap<>();
        model.runWithGradient(tokens, GradientMetrics.logitDiff(answers),
                List.of(Hook.backwardMatching(POINTS::contains, HookFunction.reading((g, h) -> grads.put(h.name(), g.copy())))));
        List<String> failures = new ArrayList<>();
        for (String point : POINTS) {
            float[] g = grads.get(point).toArray();
            for (int i : probes(g)) {
                double fd = (metric(model, tokens, answers, point, i, H) - metric(model, tokens, answers, point, i, -H)) / (2 * H);
                double tol = 2e-3 * maxAbs(g) + 2e-2 * Math.abs(g[i]);
                if (!(Math.abs(fd - g[i]) <= tol)) failures.add(point + "[" + i + "]: backward " + g[i] + ", central difference " + fd);
            }
        }
        if (!failures.isEmpty()) throw new AssertionError(String.join("\n", failures));
    }

    /** The three largest entries by magnitude and one in the middle. */
    private static int[] probes(float[] g) {
        int[] top = {-1, -1, -1};
        for (int i = 0; i < g.length; i++) {
            for (int t = 0; t < 3; t++) {
                if (top[t] < 0 || Math.abs(g[i]) > Math.abs(g[top[t]])) {
                    System.arraycopy(top, t, top, t + 1, 2 - t);
                    top[t] = i;
                    break;
                }
            }
        }
        return new int[] {top[0], top[1], top[2], g.length / 2};
    }

    /** The logit difference in double, with element i of the activation at {@code point} moved by delta. */
    private static double metric(HookedTransformer model, IntTensor tokens, IntTensor answers, String point, int i, double delta) {
        Tensor logits = model.runWithHooks(tokens, List.of(Hook.of(point, (act, h) -> {
            act.data()[act.offset() + i] += (float) delta;
            return null;
        })));
        Tensor last = logits.get(0, -1);
        return (double) last.get(answers.item(0, 0)).item() - last.get(answers.item(0, 1)).item();
    }

    private static double maxAbs(float[] g) {
        double m = 0;
        for (float x : g) m = Math.max(m, Math.abs(x));
        return m;
    }
}
