package dev.jlens.model;

import dev.jlens.tensor.Kernels;
import dev.jlens.tensor.PackedMatrix;
import dev.jlens.tensor.Parallel;

/**
 * The hook-free arithmetic of one block, on rows of plain arrays, shared by the forward pass and the
 * patching engine so that both give the same bits: layer norm, the attention output product, and the MLP
 * with its residual add. Every function here is row-independent: a row's result does not depend on the
 * other rows computed with it. The {@code ...Into} forms write into buffers the caller reuses, so a long
 * patching sweep makes no garbage per layer.
 */
final class LayerMath {
    /** Rows per thread below which row-wise work is not worth spreading over cores. */
    static final int MIN_ROWS_PER_THREAD = 32;

    private LayerMath() {}

    /** LayerNormPre of each row (then {@code * w + b} when the layer norm was not folded). */
    static float[] layerNorm(float[] x, int xOff, int rows, int d, float eps, float[] w, float[] b) {
        float[] out = new float[rows * d];
        layerNormInto(x, xOff, rows, d, eps, w, b, out, new float[rows]);
        return out;
    }

    /** {@link #layerNorm} into {@code out[0 .. rows*d)}, with {@code scale} (at least {@code rows} long) as scratch. */
    static void layerNormInto(float[] x, int xOff, int rows, int d, float eps, float[] w, float[] b, float[] out, float[] scale) {
        Parallel.forRows(rows, MIN_ROWS_PER_THREAD, (from, to) -> {
            Kernels.centreAndScale(x, xOff + from * d, to - from, d, eps, out, from * d, scale, from);
            for (int r = from; r < to; r++) Kernels.divide(out, r * d, d, scale[r]);
            if (w != null) affine(out, from * d, to - from, d, w, b, out, from * d);
        });
    }

    /** {@code out = x * w + b} per row. */
    static void affine(float[] x, int xOff, int rows, int d, float[] w, float[] b, float[] out, int outOff) {
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < d; j++) out[outOff + r * d + j] = x[xOff + r * d + j] * w[j] + b[j];
        }
    }

    /** {@code x @ W + bias} for {@code rows} rows. */
    static float[] linear(float[] x, int xOff, int rows, PackedMatrix w, float[] bias) {
        float[] out = new float[rows * w.cols()];
        w.multiply(x, xOff, rows, bias, out, 0);
        return out;
    }

    /** gelu_new in place on {@code rows} rows (from {@code off}) of width {@code width}, spread over cores (each element's value is the same however the rows are split). */
    static void geluNew(float[] x, int off, int rows, int width) {
        Parallel.forRows(rows, MIN_ROWS_PER_THREAD, (from, to) -> Kernels.geluNew(x, off + from * width, (to - from) * width));
    }

    /** resid_post of rows given their resid_mid: {@code resid_mid + W_out gelu(W_in ln2(resid_mid) + b_in) + b_out}. */
    static float[] mlpResidual(ModelConfig cfg, ModelWeights.Layer lw, float[] residMid, int off, int rows) {
        float[] out = new float[rows * cfg.dModel()];
        mlpResidualInto(cfg, lw, residMid, off, rows, new MlpScratch(rows, cfg), out);
        return out;
    }

    /** The MLP's intermediate rows, reusable from one call to the next. */
    record MlpScratch(float[] normalized, float[] scale, float[] hidden, float[] mlpOut) {
        MlpScratch(int rows, ModelConfig cfg) {
            this(new float[rows * cfg.dModel()], new float[rows], new float[rows * cfg.dMlp()], new float[rows * cfg.dModel()]);
        }
    }

    /** {@link #mlpResidual} into {@code out[0 .. rows*d_model)}. */
    static void mlpResidualInto(ModelConfig cfg, ModelWeights.Layer lw, float[] residMid, int off, int rows, MlpScratch s, float[] out) {
        int d = cfg.dModel();
        layerNormInto(residMid, off, rows, d, cfg.eps(), lw.ln2w(), lw.ln2b(), s.normalized(), s.scale());
        lw.wIn().multiply(s.normalized(), 0, rows, lw.bIn(), s.hidden(), 0);
        geluNew(s.hidden(), 0, rows, lw.wIn().cols());
        lw.wOut().multiply(s.hidden(), 0, rows, lw.bOut(), s.mlpOut(), 0);
        Kernels.add(residMid, off, s.mlpOut(), 0, out, 0, rows * d);
    }
}
