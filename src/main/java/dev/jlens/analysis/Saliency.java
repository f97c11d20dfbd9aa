package dev.jlens.analysis;

import dev.jlens.JlensException;
import dev.jlens.hooks.Hook;
import dev.jlens.hooks.HookFunction;
import dev.jlens.model.HookedTransformer;
import dev.jlens.model.LogitMetric;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;

import java.util.List;

/**
 * Per input token saliency of a metric, from gradients at the token embeddings ({@code hook_embed}):
 * gradient x input, and integrated gradients from the zero embedding (the positional embeddings kept).
 * Each is [batch, pos], summed over d_model.
 */
public final class Saliency {
    private Saliency() {}

    /** {@code sum_d embed[b, p, d] * d metric / d embed[b, p, d]}. */
    public static Tensor gradientTimesInput(HookedTransformer model, IntTensor tokens, LogitMetric metric) {
        Tensor[] seen = new Tensor[2];
        model.runWithGradient(tokens, metric, List.of(
                Hook.of("hook_embed", HookFunction.reading((act, h) -> seen[0] = act.copy())),
                Hook.backward("hook_embed", HookFunction.reading((g, h) -> seen[1] = g.copy()))));
        return seen[0].mul(seen[1]).sum(2);
    }

    /**
     * Integrated gradients over the token embeddings with {@code steps} midpoints: {@code embed x mean over
     * k of the gradient at ((k + 1/2) / steps) embed}, summed over d_model. Their sum over positions
     * approaches metric(tokens) - metric(zero token embeddings) as steps grow.
     */
    public static Tensor integratedGradients(HookedTransformer model, IntTensor tokens, LogitMetric metric, int steps) {
        if (steps < 1) throw new JlensException("integrated gradients: steps must be at least 1, got " + steps);
        Tensor[] embed = new Tensor[1];
        Tensor total = null;
        for (int k = 0; k < steps; k++) {
            float alpha = (k + 0.5f) / steps;
            Tensor[] grad = new Tensor[1];
            model.runWithGradient(tokens, metric, List.of(
                    Hook.of("hook_embed", (act, h) -> {
                        embed[0] = act.copy();
                        return act.mul(alpha);
                    }),
                    Hook.backward("hook_embed", HookFunction.reading((g, h) -> grad[0] = g.copy()))));
            total = total == null ? grad[0] : total.add(grad[0]);
        }
        return embed[0].mul(total.div(steps)).sum(2);
    }
}
