package dev.jlens.model;

import dev.jlens.tensor.Tensor;

/**
 * TransformerLens' default weight processing (spec section 3), applied block by block: fold_ln,
 * center_writing_weights, center_unembed, fold_value_biases. Each rule touches one block (or the
 * embeddings, or the unembedding) only, so processing per block gives the same numbers as TransformerLens'
 * whole-model order while holding one block at a time.
 */
public final class WeightProcessing {
    /** Which processing steps to run. {@link #DEFAULT} is from_pretrained's; {@link #NONE} is from_pretrained_no_processing. */
    public record Options(boolean foldLn, boolean centerWritingWeights, boolean centerUnembed, boolean foldValueBiases) {
        public static final Options DEFAULT = new Options(true, true, true, true);
        public static final Options NONE = new Options(false, false, false, false);
    }

    private WeightProcessing() {}

    static void processBlock(ModelParams.Block b, Options o) {
        processBlock(b, o, null);
    }

    /**
     * One block's processing by the config's normalization ({@code cfg} null: GPT-2's LayerNorm). RMSNorm folds
     * its weights only (it has no bias and does not center), and TransformerLens centers writing weights only
     * for LayerNorm models. Norms after a sub-block (use_normalization_before_and_after) are kept.
     */
    static void processBlock(ModelParams.Block b, Options o, ModelConfig cfg) {
        boolean ln = cfg == null || !cfg.rmsNorm();
        if (o.foldLn()) {
            // Biases first, with the unscaled weights; then scale; then center what reads the residual stream.
            // (Query, key and value weights are columns of one matrix; every rule here is per column.)
            if (ln) {
                addVectorTimesMatrix(b.bQKV, b.ln1b, b.wQKV);
                addVectorTimesMatrix(b.bIn, b.ln2b, b.wIn);
            }
            scaleRows(b.wQKV, b.ln1w);
            scaleRows(b.wIn, b.ln2w);
            if (b.wGate != null) scaleRows(b.wGate, b.ln2w);
            if (ln) {
                centerColumns(b.wQKV);
                centerColumns(b.wIn);
                if (b.wGate != null) centerColumns(b.wGate);
            }
            b.ln1w = b.ln1b = b.ln2w = b.ln2b = null;
        }
        if (o.centerWritingWeights() && ln) {
            centerRows(b.wO);
            centerVector(b.bO);
            centerRows(b.wOut);
            centerVector(b.bOut);
        }
        if (o.foldValueBiases()) {
            int he = b.wO.shape(0), kv = (b.bQKV.size() - he) / 2;
            Tensor bV = b.bV(kv);
            addVectorTimesMatrix(b.bO, kv == he ? bV : repeatHeads(bV, he / kv, he), b.wO);
            bV.fill(0f);
            if (ln) centerVector(b.bO);  // TransformerLens 3 re-centers b_O here (a no-op up to rounding when W_O is centered)
        }
    }

    /** Grouped value biases [n_kv*d_head] repeated per query head (repeat_interleave): [n_heads*d_head]. */
    private static Tensor repeatHeads(Tensor grouped, int repeats, int he) {
        int kvHeads = he / repeats, e = grouped.size() / kvHeads;
        float[] out = new float[he];
        for (int h = 0; h < he / e; h++) System.arraycopy(grouped.data(), grouped.offset() + (h / repeats) * e, out, h * e, e);
        return Tensor.of(out, he);
    }

    static void processEmbeddings(ModelParams p, Options o) {
        processEmbeddings(p, o, null);
    }

    static void processEmbeddings(ModelParams p, Options o, ModelConfig cfg) {
        if (o.centerWritingWeights() && (cfg == null || !cfg.rmsNorm())) {
            centerRows(p.wE);
            if (p.wPos != null) centerRows(p.wPos);
        }
    }

    static void processUnembed(ModelParams p, Options o) {
        processUnembed(p, o, null);
    }

    /**
     * The unembedding's rules, applied to W_U^T [d_vocab, d_model] (wte's layout, so no transpose is needed):
     * a row of W_U^T is a column of W_U, so "center W_U along d_model" centers rows here, and
     * center_unembed ("along the vocabulary") centers columns here. TransformerLens does not center the
     * unembedding of a model with a final-logit soft cap (the cap is not invariant to adding a constant).
     */
    static void processUnembed(ModelParams p, Options o, ModelConfig cfg) {
        boolean ln = cfg == null || !cfg.rmsNorm();
        if (o.foldLn()) {
            if (ln) addMatrixTimesVector(p.bU, p.wUT, p.lnfB);
            scaleColumns(p.wUT, p.lnfW);
            if (ln) centerRows(p.wUT);
            p.lnfW = p.lnfB = null;
        }
        if (o.centerUnembed() && (cfg == null || cfg.variant().outputLogitsSoftCap() <= 0)) {
            centerColumns(p.wUT);
            centerVector(p.bU);
        }
    }

    /** {@code out[r] += sum_c w[r, c] * v[c]} (accumulated in double). */
    static void addMatrixTimesVector(Tensor out, Tensor w, Tensor v) {
        int rows = w.shape(0), cols = w.shape(1);
        float[] wd = w.data(), vd = v.data(), od = out.data();
        for (int r = 0; r < rows; r++) {
            double acc = 0;
            int at = w.offset() + r * cols;
            for (int c = 0; c < cols; c++) acc += (double) wd[at + c] * vd[v.offset() + c];
            od[out.offset() + r] += (float) acc;
        }
    }

    /** {@code w[:, c] *= s[c]}. */
    static void scaleColumns(Tensor w, Tensor s) {
        int rows = w.shape(0), cols = w.shape(1);
        float[] wd = w.data(), sd = s.data();
        for (int r = 0; r < rows; r++) {
            int at = w.offset() + r * cols;
            for (int c = 0; c < cols; c++) wd[at + c] *= sd[s.offset() + c];
        }
    }

    /** {@code bias[c] += sum_r v[r] * w[r, c]} (accumulated in double). */
    static void addVectorTimesMatrix(Tensor bias, Tensor v, Tensor w) {
        int rows = w.shape(0), cols = w.shape(1);
        float[] wd = w.data(), vd = v.data(), bd = bias.data();
        double[] acc = new double[cols];
        for (int r = 0; r < rows; r++) {
            double x = vd[v.offset() + r];
            int at = w.offset() + r * cols;
            for (int c = 0; c < cols; c++) acc[c] += x * wd[at + c];
        }
        for (int c = 0; c < cols; c++) bd[bias.offset() + c] += (float) acc[c];
    }

    /** {@code w[r, :] *= s[r]}. */
    static void scaleRows(Tensor w, Tensor s) {
        int rows = w.shape(0), cols = w.shape(1);
        float[] wd = w.data(), sd = s.data();
        for (int r = 0; r < rows; r++) {
            float x = sd[s.offset() + r];
            int at = w.offset() + r * cols;
            for (int c = 0; c < cols; c++) wd[at + c] *= x;
        }
    }

    /** Subtracts each column's mean over the rows (TransformerLens' centring along d_model of reading weights). */
    static void centerColumns(Tensor w) {
        int rows = w.shape(0), cols = w.shape(1);
        float[] wd = w.data();
        double[] sum = new double[cols];
        for (int r = 0; r < rows; r++) {
            int at = w.offset() + r * cols;
            for (int c = 0; c < cols; c++) sum[c] += wd[at + c];
        }
        float[] mean = new float[cols];
        for (int c = 0; c < cols; c++) mean[c] = (float) (sum[c] / rows);
        for (int r = 0; r < rows; r++) {
            int at = w.offset() + r * cols;
            for (int c = 0; c < cols; c++) wd[at + c] -= mean[c];
        }
    }

    /** Subtracts each row's mean over the columns. */
    static void centerRows(Tensor w) {
        int rows = w.shape(0), cols = w.shape(1);
        for (int r = 0; r < rows; r++) centerRange(w.data(), w.offset() + r * cols, cols);
    }

    static void centerVector(Tensor v) {
        centerRange(v.data(), v.offset(), v.size());
    }

    private static void centerRange(float[] d, int off, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += d[off + i];
        float mean = (float) (s / n);
        for (int i = 0; i < n; i++) d[off + i] -= mean;
    }
}
