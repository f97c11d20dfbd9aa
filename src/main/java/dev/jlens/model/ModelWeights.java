package dev.jlens.model;

import dev.jlens.tensor.PackedMatrix;
import dev.jlens.tensor.RowTable;
import dev.jlens.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The weights the forward pass reads: products as {@link PackedMatrix} (packed once at load), biases and
 * layer-norm parameters as plain arrays, embeddings as row tables. Immutable after loading, so one model can
 * serve concurrent runs. {@link #stateDict} rebuilds TransformerLens' parameter names and shapes on demand.
 */
public final class ModelWeights {
    /** One block. Layer-norm parameters are null when they were folded (LNPre). */
    public record Layer(
            PackedMatrix wQKV, float[] bQKV,
            PackedMatrix wO, float[] bO,
            PackedMatrix wIn, float[] bIn, PackedMatrix wOut, float[] bOut,
            float[] ln1w, float[] ln1b, float[] ln2w, float[] ln2b) {

        static Layer pack(ModelParams.Block b) {
            return new Layer(PackedMatrix.pack(b.wQKV), b.bQKV.toArray(),
                    PackedMatrix.pack(b.wO), b.bO.toArray(),
                    PackedMatrix.pack(b.wIn), b.bIn.toArray(), PackedMatrix.pack(b.wOut), b.bOut.toArray(),
                    valuesOrNull(b.ln1w), valuesOrNull(b.ln1b), valuesOrNull(b.ln2w), valuesOrNull(b.ln2b));
        }

        /** Query (part 0), key (1) or value (2) weights, [d_model, n_heads*d_head]. */
        Tensor attentionWeights(int part) {
            Tensor all = wQKV.unpack();
            int he = wQKV.cols() / 3;
            return all.get(":", dev.jlens.tensor.Index.range(part * he, (part + 1) * he));
        }

        /** Query (0), key (1) or value (2) bias, [n_heads*d_head]. */
        float[] attentionBias(int part) {
            int he = bQKV.length / 3;
            return java.util.Arrays.copyOfRange(bQKV, part * he, (part + 1) * he);
        }
    }

    final RowTable wE;        // [d_vocab, d_model]
    final RowTable wPos;      // [n_ctx, d_model]
    final PackedMatrix wU;    // [d_model, d_vocab_out]
    final float[] bU;
    final float[] lnfW, lnfB;
    final Layer[] layers;

    ModelWeights(RowTable wE, RowTable wPos, PackedMatrix wU, float[] bU, float[] lnfW, float[] lnfB, Layer[] layers) {
        this.wE = wE;
        this.wPos = wPos;
        this.wU = wU;
        this.bU = bU;
        this.lnfW = lnfW;
        this.lnfB = lnfB;
        this.layers = layers;
    }

    public Layer layer(int l) {
        return layers[l];
    }

    /** A tensor's values, or null for a parameter folded away (a layer norm's weight and bias under LNPre). */
    static float[] valuesOrNull(Tensor t) {
        return t == null ? null : t.toArray();
    }

    /** TransformerLens' {@code state_dict()} parameters (not its IGNORE/mask buffers), in its names and shapes. */
    public Map<String, Tensor> stateDict(ModelConfig cfg) {
        int h = cfg.nHeads(), e = cfg.dHead(), d = cfg.dModel();
        Map<String, Tensor> sd = new LinkedHashMap<>();
        sd.put("embed.W_E", wE.toTensor());
        sd.put("pos_embed.W_pos", wPos.toTensor());
        for (int l = 0; l < layers.length; l++) {
            Layer w = layers[l];
            String p = "blocks." + l + ".";
            if (w.ln1w() != null) {
                sd.put(p + "ln1.w", Tensor.of(w.ln1w().clone(), d));
                sd.put(p + "ln1.b", Tensor.of(w.ln1b().clone(), d));
            }
            if (w.ln2w() != null) {
                sd.put(p + "ln2.w", Tensor.of(w.ln2w().clone(), d));
                sd.put(p + "ln2.b", Tensor.of(w.ln2b().clone(), d));
            }
            sd.put(p + "attn.W_Q", headsFirst(w.attentionWeights(0), h, e));
            sd.put(p + "attn.W_K", headsFirst(w.attentionWeights(1), h, e));
            sd.put(p + "attn.W_V", headsFirst(w.attentionWeights(2), h, e));
            sd.put(p + "attn.W_O", w.wO().unpack().reshape(h, e, d));
            sd.put(p + "attn.b_Q", Tensor.of(w.attentionBias(0), h, e));
            sd.put(p + "attn.b_K", Tensor.of(w.attentionBias(1), h, e));
            sd.put(p + "attn.b_V", Tensor.of(w.attentionBias(2), h, e));
            sd.put(p + "attn.b_O", Tensor.of(w.bO().clone(), d));
            sd.put(p + "mlp.W_in", w.wIn().unpack());
            sd.put(p + "mlp.b_in", Tensor.of(w.bIn().clone(), cfg.dMlp()));
            sd.put(p + "mlp.W_out", w.wOut().unpack());
            sd.put(p + "mlp.b_out", Tensor.of(w.bOut().clone(), d));
        }
        if (lnfW != null) {
            sd.put("ln_final.w", Tensor.of(lnfW.clone(), d));
            sd.put("ln_final.b", Tensor.of(lnfB.clone(), d));
        }
        sd.put("unembed.W_U", wU.unpack());
        sd.put("unembed.b_U", Tensor.of(bU.clone(), cfg.dVocabOut()));
        return sd;
    }

    /** [d_model, n_heads*d_head] -> TransformerLens' [n_heads, d_model, d_head]. */
    static Tensor headsFirst(Tensor w, int heads, int dHead) {
        return w.reshape(w.shape(0), heads, dHead).permute(1, 0, 2);
    }
}
