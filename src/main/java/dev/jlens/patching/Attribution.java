package dev.jlens.patching;

import dev.jlens.JlensException;
import dev.jlens.analysis.GradientMetrics;
import dev.jlens.cache.ActivationCache;
import dev.jlens.hooks.ActName;
import dev.jlens.model.CacheOptions;
import dev.jlens.model.HookedTransformer;
import dev.jlens.model.LogitMetric;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;

import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * Attribution patching (Nanda 2023; Syed, Rager and Conmy 2023): the first-order estimate of every activation
 * patch from one forward and one backward pass of the corrupted run. For a patch of a region of an activation,
 * {@code sum over the region of (clean - corrupted) x d metric / d activation}, the gradient taken on the
 * corrupted run. Each of TransformerLens' 18 patching helpers has its attribution with the same shape and index
 * order ({@link PatchKind#attribute}):
 *
 * <pre>{@code
 * Attribution a = Attribution.of(model, cleanTokens, corruptedTokens, GradientMetrics.normalizedLogitDiff(answers, clean, corrupted));
 * Tensor heads = PatchKind.ATTN_HEAD_OUT_ALL_POS.attribute(a);   // [n_layers, n_heads]
 * }</pre>
 */
public final class Attribution {
    /** The activations patching sweeps read: resid_pre, resid_mid, attn_out, mlp_out, z, q, k, v, pattern, hook_post. */
    private static final Predicate<String> SITES = name -> name.endsWith("hook_resid_pre") || name.endsWith("hook_resid_mid")
            || name.endsWith("hook_attn_out") || name.endsWith("hook_mlp_out") || name.endsWith("attn.hook_z")
            || name.endsWith("attn.hook_q") || name.endsWith("attn.hook_k") || name.endsWith("attn.hook_v")
            || name.endsWith("attn.hook_pattern") || name.endsWith("mlp.hook_post");

    private final ActivationCache clean, corrupted;
    private final int nLayers;

    private Attribution(ActivationCache clean, ActivationCache corrupted, int nLayers) {
        this.clean = clean;
        this.corrupted = corrupted;
        this.nLayers = nLayers;
    }

    /** Runs the clean tokens forward and the corrupted tokens forward and backward through {@code metric}. */
    public static Attribution of(HookedTransformer model, IntTensor cleanTokens, IntTensor corruptedTokens, LogitMetric metric) {
        return of(model, model.runWithCache(cleanTokens, CacheOptions.ALL.withNamesFilter(SITES)).cache(), corruptedTokens, metric);
    }

    /** From a clean run's cache (with its batch dimension): runs the corrupted tokens forward and backward through {@code metric}. */
    public static Attribution of(HookedTransformer model, ActivationCache cleanCache, IntTensor corruptedTokens, LogitMetric metric) {
        if (!cleanCache.hasBatchDim()) throw new JlensException("attribution patching needs a clean cache with its batch dimension (not removeBatchDim)");
        int[] cleanShape = Arrays.copyOf(cleanCache.get(ActName.get("resid_pre", 0)).shape(), 2);
        if (!Arrays.equals(cleanShape, corruptedTokens.shape())) {
            throw new JlensException("attribution patching needs clean and corrupted tokens of one shape, got "
                    + Arrays.toString(cleanShape) + " and " + Arrays.toString(corruptedTokens.shape()));
        }
        ActivationCache corrupted = model.runWithCache(corruptedTokens, CacheOptions.ALL.withNamesFilter(SITES).withInclBwd(metric)).cache();
        return new Attribution(cleanCache, corrupted, model.cfg().nLayers());
    }

    /** With the seed's default metric: the normalized logit difference between the clean and the corrupted run. */
    public static Attribution ofLogitDiff(HookedTransformer model, IntTensor cleanTokens, IntTensor corruptedTokens, IntTensor answerTokens) {
        float cleanLd = dev.jlens.analysis.LogitDiff.average(model.forward(cleanTokens), answerTokens);
        float corruptedLd = dev.jlens.analysis.LogitDiff.average(model.forward(corruptedTokens), answerTokens);
        return of(model, cleanTokens, corruptedTokens, GradientMetrics.normalizedLogitDiff(answerTokens, cleanLd, corruptedLd));
    }

    /** (clean - corrupted) x gradient at one hook point, summed over the batch: the activation's shape without its batch dimension. */
    public Tensor contribution(String hookName) {
        Tensor product = clean.get(hookName).sub(corrupted.get(hookName)).mul(corrupted.get(hookName + "_grad"));
        return product.sum(0);
    }

    /** Each MLP neuron's attribution at each position (hook_post): [n_layers, pos, d_mlp]. */
    public Tensor neuronsByPos() {
        List<Tensor> layers = new java.util.ArrayList<>();
        for (int l = 0; l < nLayers; l++) layers.add(contribution(ActName.get("post", l)));
        return Tensor.stack(layers, 0);
    }

    /** Each MLP neuron's attribution over all positions: [n_layers, d_mlp]. */
    public Tensor neurons() {
        return neuronsByPos().sum(1);
    }

    /**
     * {@code generic_activation_patch}'s attribution: for every index of the axes (row-major), the sum of
     * {@link #contribution} over the region the setter would patch.
     */
    Tensor generic(String activationName, Patching.PatchSetter setter, List<Patching.Axis> axes) {
        int positions = clean.get(ActName.get("resid_pre", 0)).shape(1), heads = clean.get(ActName.get("z", 0)).shape(2);
        int[] shape = axes.stream().mapToInt(a -> switch (a) {
            case LAYER -> nLayers;
            case POS, SRC_POS, DEST_POS -> positions;
            case HEAD_INDEX, HEAD -> heads;
        }).toArray();
        Tensor out = Tensor.zeros(shape);
        int[] index = new int[shape.length];
        Tensor layerContribution = null;
        int layer = -1;
        for (int i = 0; i < out.size(); i++) {
            if (index[0] != layer) {
                layer = index[0];
                layerContribution = contribution(ActName.get(activationName, layer)).unsqueeze(0);  // a batch of one, as the setter indexes
            }
            out.data()[i] = layerContribution.get(setter.region(index)).sum();
            for (int d = shape.length - 1; d >= 0 && ++index[d] == shape[d]; d--) index[d] = 0;
        }
        return out;
    }
}
