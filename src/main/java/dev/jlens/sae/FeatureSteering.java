package dev.jlens.sae;

import dev.jlens.hooks.Hook;
import dev.jlens.model.HookedTransformer;
import dev.jlens.tensor.Tensor;

import java.util.List;

/**
 * Editing a model through SAE features. Steering, as SAELens' tutorials and Neuronpedia do it: {@code coefficient x
 * W_dec[feature]} added to the activation at the SAE's hook point, at every position, on the model as it is (the SAE
 * need not be spliced in; if it is, the SAE reads the steered activation). Ablation: the SAE spliced in with its error
 * term (unless it already is) and the features set to 0 at {@code hook_sae_acts_post} at every position, so the
 * output is the plain model's minus exactly what those features wrote.
 */
public final class FeatureSteering {
    private FeatureSteering() {
    }

    /** The hook that adds {@code coefficient x W_dec[feature]} at the SAE's hook point (heads flattened for a hook_z SAE). */
    public static Hook steer(Sae sae, int feature, float coefficient) {
        sae.checkFeature(feature);
        int d = sae.cfg().dIn();
        float[] direction = new float[d];
        float[] w = sae.wDec().data();
        int off = sae.wDec().offset() + feature * d;
        for (int c = 0; c < d; c++) direction[c] = coefficient * w[off + c];
        return Hook.of(sae.hookName(), (a, hookPoint) -> {
            float[] v = a.toArray();
            for (int i = 0; i + d <= v.length; i += d) for (int c = 0; c < d; c++) v[i + c] += direction[c];
            return Tensor.of(v, a.shape());
        });
    }

    /** {@code model} steered by one feature (refused in one line when the SAE does not fit the model). */
    public static HookedTransformer steered(HookedTransformer model, Sae sae, int feature, float coefficient) {
        Saes.check(model, sae);
        return model.withHooks(steer(sae, feature, coefficient));
    }

    /** The hook that sets these features to 0 at every position; it needs the SAE spliced in. */
    public static Hook ablate(Sae sae, int... features) {
        for (int f : features) sae.checkFeature(f);
        int m = sae.cfg().dSae();
        return Hook.of(FeatureAttribution.actsHook(sae), (a, hookPoint) -> {
            float[] v = a.toArray();
            for (int i = 0; i < v.length; i += m) for (int f : features) v[i + f] = 0f;
            return Tensor.of(v, a.shape());
        });
    }

    /** {@code model} with the SAE spliced in with its error term unless it already is, and these features ablated. */
    public static HookedTransformer ablated(HookedTransformer model, Sae sae, int... features) {
        boolean spliced = Saes.of(model).stream().anyMatch(s -> s.sae() == sae);
        HookedTransformer m = spliced ? model : Saes.withSaes(model, true, List.of(sae));
        return m.withHooks(ablate(sae, features));
    }
}
