package dev.jlens.model;

import dev.jlens.hooks.HookedRun;
import dev.jlens.tensor.Kernels;
import dev.jlens.tensor.Parallel;
import dev.jlens.tensor.Tensor;

/**
 * LayerNormPre (weights folded) or LayerNorm over rows of width d_model, as TransformerLens computes it: center,
 * {@code hook_scale} with sqrt(mean(x^2) + eps) [.., 1], divide by the (possibly hooked) scale,
 * {@code hook_normalized}, then {@code * w + b} when not folded. Used for ln1, ln2 and ln_final. RMSNorm (and
 * RMSNormPre) is the same without the centring and the bias; it also serves the norms after a sub-block.
 */
final class LayerNorm {
    /** Rows per thread below which row-wise work is not worth spreading over cores. */
    static final int MIN_ROWS_PER_THREAD = 32;

    private final int d;
    private final float eps;
    private final float[] w, b;  // null when folded; b null with RMSNorm
    private final boolean rms;
    private final int scaleId, normalizedId;
    private final Buffers.Slot outSlot, scaleSlot;

    LayerNorm(ModelConfig cfg, float[] w, float[] b, int scaleId, int normalizedId, Buffers.Slot outSlot, Buffers.Slot scaleSlot) {
        this.d = cfg.dModel();
        this.eps = cfg.eps();
        this.w = w;
        this.b = b;
        this.rms = cfg.rmsNorm();
        this.scaleId = scaleId;
        this.normalizedId = normalizedId;
        this.outSlot = outSlot;
        this.scaleSlot = scaleSlot;
    }

    /**
     * What the backward pass needs of one application: the centered input, the scale as computed and the
     * scale the rows were divided by (a hook may have replaced it).
     */
    record Saved(float[] centered, float[] scale0, float[] scale, int scaleOff, int[] shape) {}

    /** The normalized rows of {@code x} (shape [..., d_model]). */
    Tensor apply(Tensor x, HookedRun h, Buffers buffers) {
        return apply(x, h, buffers, null);
    }

    /** {@link #apply}, keeping in {@code save[0]} what {@link #backward} needs when {@code save} is not null. */
    Tensor apply(Tensor x, HookedRun h, Buffers buffers, Saved[] save) {
        int rows = x.size() / d;
        float[] out = buffers.get(outSlot, rows * d), scale = buffers.get(scaleSlot, rows);
        float[] xd = x.data();
        int xOff = x.offset();
        if (save == null && !h.isHooked(scaleId) && !h.isHooked(normalizedId)) {
            Parallel.forRows(rows, MIN_ROWS_PER_THREAD, (from, to) -> {
                centerAndScale(xd, xOff + from * d, to - from, out, from * d, scale, from);
                for (int r = from; r < to; r++) Kernels.divide(out, r * d, d, scale[r]);
                if (w != null) affine(out, from * d, to - from, out, from * d);
            });
            return Tensor.wrap(out, 0, x.shape());
        }
        int[] scaleShape = x.shape().clone();
        scaleShape[scaleShape.length - 1] = 1;
        Parallel.forRows(rows, MIN_ROWS_PER_THREAD, (from, to) -> centerAndScale(xd, xOff + from * d, to - from, out, from * d, scale, from));
        float[] centered = save == null ? null : java.util.Arrays.copyOf(out, rows * d);
        float[] scale0 = save == null ? null : java.util.Arrays.copyOf(scale, rows);
        Tensor firedScale = h.fire(scaleId, Tensor.wrap(scale, 0, scaleShape));
        float[] sd = firedScale.data();
        int sOff = firedScale.offset();
        if (save != null) save[0] = new Saved(centered, scale0, sd, sOff, x.shape().clone());
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

    /** {@code out = x * w + b} per row ({@code x * w} without a bias). */
    private void affine(float[] x, int xOff, int rows, float[] out, int outOff) {
        for (int r = 0; r < rows; r++) {
            if (b == null) for (int j = 0; j < d; j++) out[outOff + r * d + j] = x[xOff + r * d + j] * w[j];
            else for (int j = 0; j < d; j++) out[outOff + r * d + j] = x[xOff + r * d + j] * w[j] + b[j];
        }
    }

    /** LayerNorm's centred rows and scales, or RMSNorm's rows as they are and scales sqrt(mean(x^2) + eps). */
    private void centerAndScale(float[] x, int xOff, int rows, float[] out, int outOff, float[] scale, int scaleOff) {
        if (!rms) {
            Kernels.centerAndScale(x, xOff, rows, d, eps, out, outOff, scale, scaleOff);
            return;
        }
        for (int r = 0; r < rows; r++) {
            double sum = 0;
            for (int j = 0; j < d; j++) {
                float v = x[xOff + r * d + j];
                out[outOff + r * d + j] = v;
                sum += (double) v * v;
            }
            scale[scaleOff + r] = (float) Math.sqrt((float) (sum / d) + eps);
        }
    }

    /**
     * The gradient with respect to the input rows from the gradient {@code gOut} with respect to the output,
     * firing the backward hooks of hook_normalized and then hook_scale. With n = c / s, c = x - mean(x) and
     * s = sqrt(mean(c^2) + eps): {@code dc = dn / s + ds c / (d s0)} with {@code ds = -sum(dn c) / s^2}, and
     * {@code dx = dc - mean(dc)} (RMSNorm: c = x, and dx = dc).
     */
    Tensor backward(Tensor gOut, Saved saved, HookedRun h) {
        int rows = saved.scale0().length;
        float[] gn = gOut.toArray();
        if (w != null) {
            for (int r = 0; r < rows; r++) for (int j = 0; j < d; j++) gn[r * d + j] *= w[j];
        }
        Tensor gNormalized = h.fireBackward(normalizedId, Tensor.of(gn, saved.shape()));
        float[] gnd = gNormalized.data(), c = saved.centered(), s = saved.scale(), s0 = saved.scale0();
        int gnOff = gNormalized.offset(), sOff = saved.scaleOff();
        float[] gx = new float[rows * d], gs = new float[rows];
        Parallel.forRows(rows, MIN_ROWS_PER_THREAD, (from, to) -> {
            for (int r = from; r < to; r++) {
                float sr = s[sOff + r];
                double dot = 0;
                for (int j = 0; j < d; j++) {
                    float g = gnd[gnOff + r * d + j];
                    gx[r * d + j] = g / sr;
                    dot += (double) g * c[r * d + j];
                }
                gs[r] = (float) (-dot / ((double) sr * sr));
            }
        });
        float[] gScale = gs;
        if (h.needsGradient(scaleId)) {
            int[] scaleShape = saved.shape().clone();
            scaleShape[scaleShape.length - 1] = 1;
            gScale = h.fireBackward(scaleId, Tensor.of(gs, scaleShape)).toArray();
        }
        float[] gsd = gScale;
        Parallel.forRows(rows, MIN_ROWS_PER_THREAD, (from, to) -> {
            for (int r = from; r < to; r++) {
                float k = (float) (gsd[r] / ((double) d * s0[r]));
                double sum = 0;
                for (int j = 0; j < d; j++) {
                    float g = gx[r * d + j] + k * c[r * d + j];
                    gx[r * d + j] = g;
                    sum += g;
                }
                if (rms) continue;  // RMSNorm's input is not centred
                float mean = (float) (sum / d);
                for (int j = 0; j < d; j++) gx[r * d + j] -= mean;
            }
        });
        return Tensor.of(gx, saved.shape());
    }
}
