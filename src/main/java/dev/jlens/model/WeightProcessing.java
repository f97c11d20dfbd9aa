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
        if (o.foldLn()) {
            // Biases first, with the unscaled weights; then scale; then center what reads the residual stream.
            // (Query, key and value weights are columns of one matrix; every rule here is per column.)
            addVectorTimesMatrix(b.bQKV, b.ln1b, b.wQKV);
            addVectorTimesMatrix(b.bIn, b.ln2b, b.wIn);
            scaleRows(b.wQKV, b.ln1w);
            scaleRows(b.wIn, b.ln2w);
            centerColumns(b.wQKV);
            centerColumns(b.wIn);
            b.ln1w = b.ln1b = b.ln2w = b.ln2b = null;
        }
        if (o.centerWritingWeights()) {
            centerRows(b.wO);
            centerVector(b.bO);
            centerRows(b.wOut);
            centerVector(b.bOut);
        }
        if (o.foldValueBiases()) {
            addVectorTimesMatrix(b.bO, b.bV(), b.wO);
            b.bV().fill(0f);
            centerVector(b.bO);  // TransformerLens 3 re-centers b_O here (a no-op up to rounding when W_O is centered)
        }
    }

    static void processEmbeddings(ModelParams p, Options o) {
        if (o.centerWritingWeights()) {
            centerRows(p.wE);
            centerRows(p.wPos);
        }
    }

    /**
     * The unembedding's rules, applied to W_U^T [d_vocab, d_model] (wte's layout, so no transpose is needed):
     * a row of W_U^T is a column of W_U, so "center W_U along d_model" centers rows here, and
     * center_unembed ("along the vocabulary") centers columns here.
     */
    static void processUnembed(ModelParams p, Options o) {
        if (o.foldLn()) {
            addMatrixTimesVector(p.bU, p.wUT, p.lnfB);
            scaleColumns(p.wUT, p.lnfW);
            centerRows(p.wUT);
            p.lnfW = p.lnfB = null;
        }
        if (o.centerUnembed()) {
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
