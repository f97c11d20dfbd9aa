package dev.jlens.sae;

import dev.jlens.model.CacheOptions;
import dev.jlens.model.HookedTransformer;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Which features of an SAE fire at each position of a prompt: the model run with the SAE spliced in with its error term
 * (so positions and later layers see the plain model), reading {@code <hook>.hook_sae_acts_post}.
 */
public final class FeatureActivations {
    /** One feature's activation. */
    public record Feature(int index, float activation) {}

    /** The features that fire at one position, strongest first, and how many fire in all (L0). */
    public record Position(int position, int token, List<Feature> top, int active) {}

    private FeatureActivations() {
    }

    /** The feature activations [pos, d_sae] of a single prompt's tokens [1, pos]. */
    public static Tensor of(HookedTransformer model, Sae sae, IntTensor tokens) {
        HookedTransformer spliced = Saes.withSaes(model, true, sae);
        String name = sae.hookName() + "." + SaeSplice.ACTS_POST;
        return spliced.runWithCache(tokens, CacheOptions.ALL.withNamesFilter(name::equals).withRemoveBatchDim(true)).cache().get(name);
    }

    /** Per position, the {@code topK} features with the largest activations among those that fire (activation > 0). */
    public static List<Position> top(HookedTransformer model, Sae sae, IntTensor tokens, int topK) {
        Tensor acts = of(model, sae, tokens);
        int positions = acts.shape(0), width = acts.shape(1);
        float[] a = acts.toArray();
        List<Position> out = new ArrayList<>();
        for (int p = 0; p < positions; p++) {
            List<Feature> firing = new ArrayList<>();
            for (int j = 0; j < width; j++) if (a[p * width + j] > 0f) firing.add(new Feature(j, a[p * width + j]));
            firing.sort((x, y) -> x.activation() != y.activation() ? Float.compare(y.activation(), x.activation()) : Integer.compare(x.index(), y.index()));
            out.add(new Position(p, tokens.item(0, p), List.copyOf(firing.subList(0, Math.min(topK, firing.size()))), firing.size()));
        }
        return out;
    }

    /** The mean number of features that fire (activation > 0) per position, for activations [..., d_sae]. */
    public static double l0(Tensor acts) {
        float[] a = acts.toArray();
        int width = acts.shape(acts.rank() - 1);
        long firing = 0;
        for (float v : a) if (v > 0f) firing++;
        return (double) firing / (a.length / width);
    }
}
