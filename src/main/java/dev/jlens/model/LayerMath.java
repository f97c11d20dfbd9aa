package dev.jlens.model;

import dev.jlens.tensor.Kernels;
import dev.jlens.tensor.PackedMatrix;
import dev.jlens.tensor.Parallel;

/**
 * The hook-free arithmetic of one block, on rows of plain arrays, shared by the forward pass and the
 * patching engine so that both give the same bits: layer norm, the attention output product, and the MLP
 * with its residual add. Every function here is row-independent: a row's result does not depend on the
 * other rows computed with it.
 */
final class LayerMath {
    /** Rows per thread below which row-wise work is not worth spreading over cores. */
    static final int MIN_ROWS_PER_THREAD = 32;

    private LayerMath() {}

    /** LayerNormPre of each row (then {@code * w + b} when the layer norm was not folded). */
    static float[] layerNorm(float[] x, int xOff, int rows, int d, float eps, float[] w, float[] b) {
        float[] out = new float[rows * d], scale = new float[rows];
        Parallel.forRows(rows, MIN_ROWS_PER_THREAD, (from, to) -> {
            Kernels.centreAndScale(x, xOff + from * d, to - from, d, eps, out, from * d, scale, from);
            for (int r = from; r < to; r++) Kernels.divide(out, r * d, d, scale[r]);
            if (w != null) affine(out, from * d, to - from, d, w, b, out, from * d);
        });
        return out;
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

    /** {@code out[i] = a[i] + b[i]}. */
    static float[] add(float[] a, int aOff, float[] b, int bOff, int n) {
        float[] out = new float[n];
        Kernels.add(a, aOff, b, bOff, out, 0, n);
        return out;
    }

    /** gelu_new in place on {@code rows} rows (from {@code off}) of width {@code width}, spread over cores (each element's value is the same however the rows are split). */
    static void geluNew(float[] x, int off, int rows, int width) {
        Parallel.forRows(rows, MIN_ROWS_PER_THREAD, (from, to) -> Kernels.geluNew(x, off + from * width, (to - from) * width));
    }

    /** resid_post of rows given their resid_mid: {@code resid_mid + W_out gelu(W_in ln2(resid_mid) + b_in) + b_out}. */
    static float[] mlpResidual(ModelConfig cfg, ModelWeights.Layer lw, float[] residMid, int off, int rows) {
        float[] n2 = layerNorm(residMid, off, rows, cfg.dModel(), cfg.eps(), lw.ln2w(), lw.ln2b());
        float[] hidden = linear(n2, 0, rows, lw.wIn(), lw.bIn());
        geluNew(hidden, 0, rows, lw.wIn().cols());
        float[] mlpOut = linear(hidden, 0, rows, lw.wOut(), lw.bOut());
        return add(residMid, off, mlpOut, 0, rows * cfg.dModel());
    }
}
