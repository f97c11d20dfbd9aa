package dev.jlens.sae;

import dev.jlens.JlensException;
import dev.jlens.model.HookedTransformer;
import dev.jlens.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * A feature's direct effect on the logits: its decoder row times the unembedding ({@code W_dec[f] @ W_U}, the processed
 * W_U as TransformerLens holds it: ln_final's weights folded in, centered over the vocabulary), ignoring ln_final's
 * scale and every later layer. The tokens it promotes most and suppresses most are what feature dashboards show.
 */
public final class FeatureLogitEffects {
    /** A token and the feature's effect on its logit per unit of activation. */
    public record TokenEffect(int token, float effect) {}

    /** One feature's most promoted ({@code top}, largest first) and most suppressed ({@code bottom}, smallest first) tokens. */
    public record Effects(int feature, List<TokenEffect> top, List<TokenEffect> bottom) {}

    private FeatureLogitEffects() {
    }

    public static List<Effects> of(HookedTransformer model, Sae sae, int[] features, int k) {
        int dModel = model.cfg().dModel();
        if (sae.cfg().dIn() != dModel) {
            throw new JlensException(sae.source() + ": direct logit effects need an SAE on the residual stream's width (d_model " + dModel
                    + "), and this one has d_in " + sae.cfg().dIn());
        }
        float[] rows = new float[features.length * dModel];
        for (int i = 0; i < features.length; i++) {
            sae.checkFeature(features[i]);
            System.arraycopy(sae.wDec().data(), sae.wDec().offset() + features[i] * dModel, rows, i * dModel, dModel);
        }
        Tensor logits = Tensor.of(rows, features.length, dModel).matmul(model.W_U());
        List<Effects> out = new ArrayList<>();
        for (int i = 0; i < features.length; i++) {
            Tensor row = logits.get(i);
            int kk = Math.min(k, row.size());
            out.add(new Effects(features[i], effects(row.topk(kk)), effects(row.bottomk(kk))));
        }
        return out;
    }

    private static List<TokenEffect> effects(Tensor.TopK t) {
        List<TokenEffect> out = new ArrayList<>();
        for (int j = 0; j < t.values().size(); j++) out.add(new TokenEffect(t.indices().item(j), t.values().item(j)));
        return out;
    }
}
