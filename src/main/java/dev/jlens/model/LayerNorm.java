package dev.jlens.model;

import dev.jlens.hooks.HookedRun;
import dev.jlens.tensor.Kernels;
import dev.jlens.tensor.Parallel;
import dev.jlens.tensor.Tensor;

/**
 * LayerNormPre (weights folded) or LayerNorm over rows of width d_model, as TransformerLens computes it: centre,
 * {@code hook_scale} with sqrt(mean(x^2) + eps) [.., 1], divide by the (possibly hooked) scale,
 * {@code hook_normalized}, then {@code * w + b} when not folded. Used for ln1, ln2 and ln_final.
 */
final class LayerNorm {
    /** Rows per thread below which row-wise work is not worth spreading over cores. */
    static final int MIN_ROWS_PER_THREAD = 32;

    private final int d;
    private final float eps;
    private final float[] w, b;  // null when folded
    private final int scaleId, normalizedId;
    private final Buffers.Slot outSlot, scaleSlot;

    LayerNorm(ModelConfig cfg, float[] w, float[] b, int scaleId, int normalizedId, Buffers.Slot outSlot, Buffers.Slot scaleSlot) {
        this.d = cfg.dModel();
        this.eps = cfg.eps();
        this.w = w;
        this.b = b;
        this.scaleId = scaleId;
        this.normalizedId = normalizedId;
        this.outSlot = outSlot;
        this.scaleSlot = scaleSlot;
    }

    /** The normalized rows of {@code x} (shape [..., d_model]). */
    Tensor apply(Tensor x, HookedRun h, Buffers buffers) {
        int rows = x.size() / d;
        float[] out = buffers.get(outSlot, rows * d), scale = buffers.get(scaleSlot, rows);
        float[] xd = x.data();
        int xOff = x.offset();
        if (!h.isHooked(scaleId) && !h.isHooked(normalizedId)) {
            Parallel.forRows(rows, MIN_ROWS_PER_THREAD, (from, to) -> {
                Kernels.centreAndScale(xd, xOff + from * d, to - from, d, eps, out, from * d, scale, from);
                for (int r = from; r < to; r++) Kernels.divide(out, r * d, d, scale[r]);
                if (w != null) affine(out, from * d, to - from, out, from * d);
            });
            return Tensor.wrap(out, 0, x.shape());
        }
        int[] scaleShape = x.shape().clone();
        scaleShape[scaleShape.length - 1] = 1;
        Parallel.forRows(rows, MIN_ROWS_PER_THREAD, (from, to) -> Kernels.centreAndScale(xd, xOff + from * d, to - from, d, eps, out, from * d, scale, from));
        Tensor firedScale = h.fire(scaleId, Tensor.wrap(scale, 0, scaleShape));
        float[] sd = firedScale.data();
        int sOff = firedScale.offset();
        Parallel.forRows(rows, MIN_ROWS_PER_THREAD, (from, to) -> {
            for (int r = from; r < to; r++) Kernels.divide(out, r * d, d, sd[sOff + r]);
        });
        Tensor normalized = h.fire(normalizedId, Tensor.wrap(out, 0, x.shape()));
        if (w == null) return normalized;
        // a new array: a hook may have kept the normalized tensor
        float[] affine = new float[rows * d];
        affine(normalized.data(), normalized.offset(), rows, affine, 0);
        return Tensor.wrap(affine, 0, x.shape());
    }

    /** {@code out = x * w + b} per row. */
    private void affine(float[] x, int xOff, int rows, float[] out, int outOff) {
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < d; j++) out[outOff + r * d + j] = x[xOff + r * d + j] * w[j] + b[j];
        }
    }
}
