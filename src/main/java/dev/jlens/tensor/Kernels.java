package dev.jlens.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The numeric kernels of the forward pass, all in one place so their speed can be read: row-wise layer
 * norm, gelu_new, softmax, dot products and axpy, vectorised with the JDK Vector API. Arrays are float32,
 * row-major, addressed by (array, offset); nothing here allocates.
 *
 * <p>Matrix products live in {@link PackedMatrix}, whose weight layout is made for its micro-kernel.
 */
public final class Kernels {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();

    private Kernels() {}

    /**
     * The statistics half of TransformerLens' LayerNormPre on each of {@code rows} rows of width {@code d}:
     * writes the centred row {@code x - mean(x)} to {@code centred} and {@code sqrt(mean(centred^2) + eps)}
     * (the value of {@code hook_scale}) to {@code scale}. Dividing by the scale is left to the caller, so a
     * hook can replace the scale in between. Statistics are accumulated in double.
     */
    public static void centreAndScale(float[] x, int xOff, int rows, int d, float eps, float[] centred, int cOff,
                                      float[] scale, int scaleOff) {
        for (int r = 0; r < rows; r++) {
            int xi = xOff + r * d, ci = cOff + r * d;
            double sum = 0;
            for (int j = 0; j < d; j++) sum += x[xi + j];
            float mean = (float) (sum / d);
            double sq = 0;
            for (int j = 0; j < d; j++) {
                float c = x[xi + j] - mean;
                centred[ci + j] = c;
                sq += (double) c * c;
            }
            scale[scaleOff + r] = (float) Math.sqrt((float) (sq / d) + eps);
        }
    }

    /** {@code a[off .. off+n) /= s}. */
    public static void divide(float[] a, int off, int n, float s) {
        int i = 0, bound = S.loopBound(n);
        FloatVector sv = FloatVector.broadcast(S, s);
        for (; i < bound; i += L) FloatVector.fromArray(S, a, off + i).div(sv).intoArray(a, off + i);
        for (; i < n; i++) a[off + i] /= s;
    }

    /** gelu_new in place: {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}, in float32 like GPT-2. */
    public static void geluNew(float[] a, int off, int n) {
        final float c = (float) Math.sqrt(2.0 / Math.PI), k = 0.044715f;
        int i = 0, bound = S.loopBound(n);
        for (; i < bound; i += L) {
            FloatVector x = FloatVector.fromArray(S, a, off + i);
            FloatVector inner = x.mul(x).mul(x).mul(k).add(x).mul(c);
            x.mul(0.5f).mul(inner.lanewise(VectorOperators.TANH).add(1f)).intoArray(a, off + i);
        }
        for (; i < n; i++) {
            float x = a[off + i];
            float inner = c * (x + k * (x * x * x));
            a[off + i] = 0.5f * x * (1f + (float) Math.tanh(inner));
        }
    }

    /**
     * Softmax in place over {@code a[off .. off+n)}, where -infinity entries get probability 0. A row whose
     * entries are all -infinity becomes all zeros (TransformerLens replaces that NaN by 0).
     */
    public static void softmax(float[] a, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, a[off + i]);
        if (max == Float.NEGATIVE_INFINITY) {
            java.util.Arrays.fill(a, off, off + n, 0f);
            return;
        }
        int i = 0, bound = S.loopBound(n);
        FloatVector mv = FloatVector.broadcast(S, max), acc = FloatVector.zero(S);
        for (; i < bound; i += L) {
            FloatVector e = FloatVector.fromArray(S, a, off + i).sub(mv).lanewise(VectorOperators.EXP);
            e.intoArray(a, off + i);
            acc = acc.add(e);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float e = (float) Math.exp(a[off + i] - max);
            a[off + i] = e;
            sum += e;
        }
        divide(a, off, n, sum);
    }

    /** {@code sum_i a[aOff+i] * b[bOff+i]}. */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        int i = 0, bound = S.loopBound(n);
        FloatVector acc = FloatVector.zero(S);
        for (; i < bound; i += L) {
            acc = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) s += a[aOff + i] * b[bOff + i];
        return s;
    }

    /** {@code y[yOff+i] += alpha * x[xOff+i]}. */
    public static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0, bound = S.loopBound(n);
        FloatVector av = FloatVector.broadcast(S, alpha);
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, x, xOff + i).fma(av, FloatVector.fromArray(S, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] += alpha * x[xOff + i];
    }

    /** {@code out[i] = a[i] + b[i]} over n elements (out may alias a or b). */
    public static void add(float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
        int i = 0, bound = S.loopBound(n);
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, a, aOff + i).add(FloatVector.fromArray(S, b, bOff + i)).intoArray(out, outOff + i);
        }
        for (; i < n; i++) out[outOff + i] = a[aOff + i] + b[bOff + i];
    }

    /** Mask of the first {@code valid} lanes of a vector (all lanes when valid >= L). */
    static VectorMask<Float> firstLanes(int valid) {
        return S.indexInRange(0, valid);
    }
}
