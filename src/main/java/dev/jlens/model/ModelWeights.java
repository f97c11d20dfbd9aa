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
    /**
     * One block. Layer-norm parameters are null when they were folded (LNPre, RMSPre; biases always with
     * RMSNorm); the gate and the post norms are null in architectures without them.
     */
    public record Layer(
            PackedMatrix wQKV, float[] bQKV,
            PackedMatrix wO, float[] bO,
            PackedMatrix wIn, float[] bIn, PackedMatrix wOut, float[] bOut,
            float[] ln1w, float[] ln1b, float[] ln2w, float[] ln2b,
            PackedMatrix wGate, float[] ln1PostW, float[] ln2PostW) {

        /** A GPT-2 block: no gate, no post norms. */
        public Layer(PackedMatrix wQKV, float[] bQKV, PackedMatrix wO, float[] bO, PackedMatrix wIn, float[] bIn, PackedMatrix wOut, float[] bOut,
                     float[] ln1w, float[] ln1b, float[] ln2w, float[] ln2b) {
            this(wQKV, bQKV, wO, bO, wIn, bIn, wOut, bOut, ln1w, ln1b, ln2w, ln2b, null, null, null);
        }

        static Layer pack(ModelParams.Block b) {
            return new Layer(PackedMatrix.pack(b.wQKV), b.bQKV.toArray(),
                    PackedMatrix.pack(b.wO), b.bO.toArray(),
                    PackedMatrix.pack(b.wIn), b.bIn.toArray(), PackedMatrix.pack(b.wOut), b.bOut.toArray(),
                    valuesOrNull(b.ln1w), valuesOrNull(b.ln1b), valuesOrNull(b.ln2w), valuesOrNull(b.ln2b),
                    b.wGate == null ? null : PackedMatrix.pack(b.wGate), valuesOrNull(b.ln1PostW), valuesOrNull(b.ln2PostW));
        }

        /** Query (part 0), key (1) or value (2) weights, [d_model, heads*d_head] (key and value heads are n_key_value_heads). */
        Tensor attentionWeights(int part) {
            Tensor all = wQKV.unpack();
            int[] at = partColumns(wQKV.cols(), wO.rows(), part);
            return all.get(":", dev.jlens.tensor.Index.range(at[0], at[1]));
        }

        /** Query (0), key (1) or value (2) bias. */
        float[] attentionBias(int part) {
            int[] at = partColumns(bQKV.length, wO.rows(), part);
            return java.util.Arrays.copyOfRange(bQKV, at[0], at[1]);
        }

        /** [from, to) of a part's columns in the fused product of {@code width} columns, whose query part is {@code he} wide. */
        private static int[] partColumns(int width, int he, int part) {
            int kv = (width - he) / 2;
            return part == 0 ? new int[] {0, he} : part == 1 ? new int[] {he, he + kv} : new int[] {he + kv, width};
        }
    }

    final RowTable wE;        // [d_vocab, d_model]
    final RowTable wPos;      // [n_ctx, d_model]; null with rotary embeddings
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
        int h = cfg.nHeads(), e = cfg.dHead(), d = cfg.dModel(), kvh = cfg.nKeyValueHeads();
        String kv = kvh != h ? "_" : "";  // TransformerLens' grouped-query attention keeps grouped keys and values as _W_K, _W_V
        Map<String, Tensor> sd = new LinkedHashMap<>();
        sd.put("embed.W_E", wE.toTensor());
        if (wPos != null) sd.put("pos_embed.W_pos", wPos.toTensor());
        for (int l = 0; l < layers.length; l++) {
            Layer w = layers[l];
            String p = "blocks." + l + ".";
            putNorm(sd, p + "ln1", w.ln1w(), w.ln1b(), d);
            putNorm(sd, p + "ln1_post", w.ln1PostW(), null, d);
            putNorm(sd, p + "ln2", w.ln2w(), w.ln2b(), d);
            putNorm(sd, p + "ln2_post", w.ln2PostW(), null, d);
            sd.put(p + "attn.W_Q", headsFirst(w.attentionWeights(0), h, e));
            sd.put(p + "attn." + kv + "W_K", headsFirst(w.attentionWeights(1), kvh, e));
            sd.put(p + "attn." + kv + "W_V", headsFirst(w.attentionWeights(2), kvh, e));
            sd.put(p + "attn.W_O", w.wO().unpack().reshape(h, e, d));
            sd.put(p + "attn.b_Q", Tensor.of(w.attentionBias(0), h, e));
            sd.put(p + "attn." + kv + "b_K", Tensor.of(w.attentionBias(1), kvh, e));
            sd.put(p + "attn." + kv + "b_V", Tensor.of(w.attentionBias(2), kvh, e));
            sd.put(p + "attn.b_O", Tensor.of(w.bO().clone(), d));
            if (w.wGate() != null) sd.put(p + "mlp.W_gate", w.wGate().unpack());
            sd.put(p + "mlp.W_in", w.wIn().unpack());
            sd.put(p + "mlp.b_in", Tensor.of(w.bIn().clone(), cfg.dMlp()));
            sd.put(p + "mlp.W_out", w.wOut().unpack());
            sd.put(p + "mlp.b_out", Tensor.of(w.bOut().clone(), d));
        }
        putNorm(sd, "ln_final", lnfW, lnfB, d);
        sd.put("unembed.W_U", wU.unpack());
        sd.put("unembed.b_U", Tensor.of(bU.clone(), cfg.dVocabOut()));
        return sd;
    }

    /** A norm's {@code w} and {@code b} when present (folded norms have neither, RMSNorm no bias). */
    private static void putNorm(Map<String, Tensor> sd, String name, float[] w, float[] b, int d) {
        if (w != null) sd.put(name + ".w", Tensor.of(w.clone(), d));
        if (b != null) sd.put(name + ".b", Tensor.of(b.clone(), d));
    }

    /** [d_model, n_heads*d_head] -> TransformerLens' [n_heads, d_model, d_head]. */
    static Tensor headsFirst(Tensor w, int heads, int dHead) {
        return w.reshape(w.shape(0), heads, dHead).permute(1, 0, 2);
    }
}
