package dev.jlens.sae;

import dev.jlens.analysis.PatchingMetric;
import dev.jlens.cache.ActivationCache;
import dev.jlens.hooks.Hook;
import dev.jlens.model.CacheOptions;
import dev.jlens.model.ForwardOptions;
import dev.jlens.model.HookedTransformer;
import dev.jlens.model.LogitMetric;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which SAE features matter for a metric: the first-order estimate of the metric's change when a feature's activation
 * at a position is set to a target, {@code (target - activation) x d metric / d activation}, read at
 * {@code <hook>.hook_sae_acts_post} of every SAE spliced into the model, from one forward and backward pass. The target
 * is the clean run's activation for attribution patching on features (the gradient taken on the corrupted run), or 0
 * for ablation (activation x gradient, negated). {@link #patched} then measures the change itself, one forward pass
 * per feature.
 */
public final class FeatureAttribution {
    /** One feature at one position: the estimated change of the metric and, once measured, the actual one (NaN before). */
    public record Entry(int position, int feature, float estimate, float actual) {
        public Entry withActual(float value) {
            return new Entry(position, feature, estimate, value);
        }
    }

    private FeatureAttribution() {
    }

    /** The name of an SAE's feature activations in a model it is spliced into. */
    public static String actsHook(Sae sae) {
        return sae.hookName() + "." + SaeSplice.ACTS_POST;
    }

    /**
     * Per SAE spliced into {@code model} (by its {@link #actsHook}), the estimate for every position and feature,
     * summed over the batch: [pos, d_sae]. {@code targets} is the clean run's cache (with its batch dimension) for
     * attribution patching, or null to ablate.
     */
    public static Map<String, Tensor> estimates(HookedTransformer model, IntTensor tokens, LogitMetric metric, ActivationCache targets) {
        List<String> names = Saes.of(model).stream().map(s -> actsHook(s.sae())).toList();
        ActivationCache run = model.runWithCache(tokens, CacheOptions.ALL.withNamesFilter(names::contains).withInclBwd(metric)).cache();
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String name : names) {
            Tensor acts = run.get(name);
            Tensor target = targets == null ? Tensor.zeros(acts.shape()) : targets.get(name);
            out.put(name, target.sub(acts).mul(run.get(name + "_grad")).sum(0));
        }
        return out;
    }

    /** The {@code k} entries of largest |estimate| (ties: earlier position, then lower feature), not yet measured. */
    public static List<Entry> top(Tensor estimates, int k) {
        int positions = estimates.shape(0), width = estimates.shape(1);
        float[] v = estimates.toArray();
        Integer[] order = new Integer[v.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> Float.compare(Math.abs(v[b]), Math.abs(v[a])));  // stable: ties keep index order
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < Math.min(k, positions * width); i++) out.add(new Entry(order[i] / width, order[i] % width, v[order[i]], Float.NaN));
        return out;
    }

    /** The metric of a run with one feature at one position set to {@code values[b]} in every prompt b of the batch. */
    public static float patched(HookedTransformer model, IntTensor tokens, String actsHook, int position, int feature, float[] values, PatchingMetric metric) {
        Hook set = Hook.of(actsHook, (a, h) -> {
            for (int b = 0; b < values.length; b++) a.put(values[b], b, position, feature);
            return a;
        });
        ForwardOptions options = ForwardOptions.LOGITS.withLastLogitsOnly(metric.readsFinalPositionOnly());
        return metric.apply(model.runWithHooks(tokens, options, List.of(set)).logits());
    }
}
