package dev.jlens.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The numeric kernels of the forward pass, all in one place so their speed can be read: row-wise layer
 * norm, gelu_new, softmax, dot products and axpy, vectorized with the JDK Vector API. Arrays are float32,
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
     * writes the centered row {@code x - mean(x)} to {@code centered} and {@code sqrt(mean(centered^2) + eps)}
     * (the value of {@code hook_scale}) to {@code scale}. Dividing by the scale is left to the caller, so a
     * hook can replace the scale in between. Statistics are accumulated in double.
     */
    public static void centerAndScale(float[] x, int xOff, int rows, int d, float eps, float[] centered, int cOff,
                                      float[] scale, int scaleOff) {
        for (int r = 0; r < rows; r++) {
            int xi = xOff + r * d, ci = cOff + r * d;
            double sum = 0;
            for (int j = 0; j < d; j++) sum += x[xi + j];
            float mean = (float) (sum / d);
            double sq = 0;
            for (int j = 0; j < d; j++) {
                float c = x[xi + j] - mean;
                centered[ci + j] = c;
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

    /** Elements gelu_new works on at a time: its e^(2|inner|) goes through a per-thread block of this size. */
    private static final int GELU_BLOCK = 64 * 16;
    private static final ThreadLocal<float[]> GELU_SCRATCH = ThreadLocal.withInitial(() -> new float[GELU_BLOCK]);
    private static final float GELU_C = (float) Math.sqrt(2.0 / Math.PI), GELU_K = 0.044715f;

    /**
     * gelu_new in place: {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}, in float32 like GPT-2, with
     * tanh(u) = sign(u) (1 - 2 / (e^{2|u|} + 1)). Block by block: the e^{2|u|} of a block are computed by
     * {@link #exp(float[], int, int)} in a scratch array, so no vector crosses a method call (a vector passed to
     * a method the JIT did not inline is boxed, and the code runs many times slower).
     */
    public static void geluNew(float[] a, int off, int n) {
        float[] e = GELU_SCRATCH.get();
        for (int from = 0; from < n; from += GELU_BLOCK) {
            int len = Math.min(GELU_BLOCK, n - from), at = off + from;
            int i = 0, bound = S.loopBound(len);
            for (; i < bound; i += L) {
                FloatVector x = FloatVector.fromArray(S, a, at + i);
                x.mul(x).mul(x).mul(GELU_K).add(x).mul(GELU_C).abs().mul(2f).intoArray(e, i);  // 2|u|, u as in geluInner
            }
            for (; i < len; i++) e[i] = Math.abs(geluInner(a[at + i])) * 2f;
            exp(e, 0, len);
            for (i = 0; i < bound; i += L) {
                FloatVector x = FloatVector.fromArray(S, a, at + i), u = x.mul(x).mul(x).mul(GELU_K).add(x).mul(GELU_C);
                FloatVector t = FloatVector.broadcast(S, 1f).sub(FloatVector.broadcast(S, 2f).div(FloatVector.fromArray(S, e, i).add(1f)));
                t = t.blend(t.neg(), u.compare(VectorOperators.LT, 0f)).blend(u, u.test(VectorOperators.IS_NAN));
                x.mul(0.5f).mul(t.add(1f)).intoArray(a, at + i);
            }
            for (; i < len; i++) a[at + i] = geluNew(a[at + i]);
        }
    }

    /** The scalar twin of {@link #geluNew(float[], int, int)}: the same operations, so the same bits. */
    public static float geluNew(float x) {
        return x * 0.5f * (tanh(geluInner(x)) + 1f);
    }

    /** sqrt(2/pi) (x + 0.044715 x^3), in the order the vector loops above write it out. */
    private static float geluInner(float x) {
        return (x * x * x * GELU_K + x) * GELU_C;
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
        FloatVector mv = FloatVector.broadcast(S, max);
        for (; i < bound; i += L) FloatVector.fromArray(S, a, off + i).sub(mv).intoArray(a, off + i);
        for (; i < n; i++) a[off + i] -= max;
        exp(a, off, n);
        FloatVector acc = FloatVector.zero(S);
        for (i = 0; i < bound; i += L) acc = acc.add(FloatVector.fromArray(S, a, off + i));
        float sum = sumLanes(acc);
        for (; i < n; i++) sum += a[off + i];
        divide(a, off, n, sum);
    }

    /**
     * The backward of {@link #softmax} over one row: {@code out[j] = p[j] (g[j] - sum_i p[i] g[i])} from the
     * probabilities p and the gradient g of the probabilities. Where p is 0 (a masked key) the result is 0
     * whatever g holds there, also infinity or NaN.
     */
    public static void softmaxBackward(float[] p, int pOff, float[] g, int gOff, float[] out, int outOff, int n) {
        int i = 0, bound = S.loopBound(n);
        FloatVector zero = FloatVector.zero(S), acc = zero;
        for (; i < bound; i += L) {
            FloatVector pv = FloatVector.fromArray(S, p, pOff + i);
            FloatVector gv = FloatVector.fromArray(S, g, gOff + i).blend(zero, pv.compare(VectorOperators.EQ, 0f));
            acc = pv.fma(gv, acc);
        }
        float dot = sumLanes(acc);
        for (; i < n; i++) if (p[pOff + i] != 0f) dot += p[pOff + i] * g[gOff + i];
        FloatVector dv = FloatVector.broadcast(S, dot);
        for (i = 0; i < bound; i += L) {
            FloatVector pv = FloatVector.fromArray(S, p, pOff + i);
            FloatVector gv = FloatVector.fromArray(S, g, gOff + i).blend(dv, pv.compare(VectorOperators.EQ, 0f));
            pv.mul(gv.sub(dv)).intoArray(out, outOff + i);
        }
        for (; i < n; i++) out[outOff + i] = p[pOff + i] == 0f ? 0f : p[pOff + i] * (g[gOff + i] - dot);
    }

    /**
     * The backward of {@link #geluNew(float[], int, int)} in place on the gradient:
     * {@code g *= 0.5 (1 + t) + 0.5 x (1 - t^2) sqrt(2/pi) (1 + 3 * 0.044715 x^2)} with t = tanh(u) of the
     * input x, computed block by block through e^{2|u|} like the forward.
     */
    public static void geluNewBackward(float[] x, int xOff, float[] g, int gOff, int n) {
        float[] e = GELU_SCRATCH.get();
        for (int from = 0; from < n; from += GELU_BLOCK) {
            int len = Math.min(GELU_BLOCK, n - from), at = xOff + from, gAt = gOff + from;
            int i = 0, bound = S.loopBound(len);
            for (; i < bound; i += L) {
                FloatVector xv = FloatVector.fromArray(S, x, at + i);
                xv.mul(xv).mul(xv).mul(GELU_K).add(xv).mul(GELU_C).abs().mul(2f).intoArray(e, i);
            }
            for (; i < len; i++) e[i] = Math.abs(geluInner(x[at + i])) * 2f;
            exp(e, 0, len);
            for (i = 0; i < bound; i += L) {
                FloatVector xv = FloatVector.fromArray(S, x, at + i), u = xv.mul(xv).mul(xv).mul(GELU_K).add(xv).mul(GELU_C);
                FloatVector t = FloatVector.broadcast(S, 1f).sub(FloatVector.broadcast(S, 2f).div(FloatVector.fromArray(S, e, i).add(1f)));
                t = t.blend(t.neg(), u.compare(VectorOperators.LT, 0f));
                FloatVector du = xv.mul(xv).mul(3f * GELU_K).add(1f).mul(GELU_C);
                FloatVector d = t.add(1f).mul(0.5f).add(xv.mul(0.5f).mul(t.mul(t).neg().add(1f)).mul(du));
                FloatVector.fromArray(S, g, gAt + i).mul(d).intoArray(g, gAt + i);
            }
            for (; i < len; i++) g[gAt + i] *= geluNewDerivative(x[at + i]);
        }
    }

    /** The derivative of gelu_new at x, as {@link #geluNewBackward} computes it. */
    public static float geluNewDerivative(float x) {
        float t = tanh(geluInner(x));
        return (t + 1f) * 0.5f + x * 0.5f * (1f - t * t) * ((x * x * (3f * GELU_K) + 1f) * GELU_C);
    }

    /** {@code sum_i a[aOff+i] * b[bOff+i]}. */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        int i = 0, bound = S.loopBound(n);
        FloatVector acc = FloatVector.zero(S);
        for (; i < bound; i += L) {
            acc = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), acc);
        }
        float s = sumLanes(acc);
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

    // ---- attention ----------------------------------------------------------------------------------

    /**
     * Causal attention scores of one head: {@code scores[t*ldS + j] = (q_t . k_j) / scale} for key positions
     * {@code j <= firstPos + t} not marked in {@code padded}, and -infinity for every other j below keyLen.
     * Query t is {@code q[qOff + t*qStride ..]}, key j is {@code k[kOff + j*kStride ..]}, each of length e.
     * Vectorized across keys (keys are transposed into a scratch array first), so each score is one fma
     * chain over e in order: no horizontal sums, the same bits in every run.
     */
    public static void attentionScores(float[] q, int qOff, int qStride, int queries, int firstPos,
                                       float[] k, int kOff, int kStride, int keyLen, int e, float scale,
                                       boolean[] padded, int paddedOff, float[] scores, int sOff, int ldS) {
        int ldt = (keyLen + L - 1) / L * L;
        float[] kt = new float[e * ldt];
        for (int j = 0; j < keyLen; j++) {
            int from = kOff + j * kStride;
            for (int x = 0; x < e; x++) kt[x * ldt + j] = k[from + x];
        }
        float[] lanes = new float[L];
        for (int t = 0; t < queries; t++) {
            int limit = Math.min(keyLen, firstPos + t + 1), qAt = qOff + t * qStride, row = sOff + t * ldS;
            // Four blocks of keys at a time: four independent accumulator chains keep the FMA units busy.
            // Each score is still the same sum over x in the same order, so the blocking changes no bit.
            int j0 = 0;
            for (; j0 + 4 * L <= limit; j0 += 4 * L) {
                FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
                for (int x = 0; x < e; x++) {
                    FloatVector qx = FloatVector.broadcast(S, q[qAt + x]);
                    int at = x * ldt + j0;
                    a0 = FloatVector.fromArray(S, kt, at).fma(qx, a0);
                    a1 = FloatVector.fromArray(S, kt, at + L).fma(qx, a1);
                    a2 = FloatVector.fromArray(S, kt, at + 2 * L).fma(qx, a2);
                    a3 = FloatVector.fromArray(S, kt, at + 3 * L).fma(qx, a3);
                }
                a0.div(scale).intoArray(scores, row + j0);
                a1.div(scale).intoArray(scores, row + j0 + L);
                a2.div(scale).intoArray(scores, row + j0 + 2 * L);
                a3.div(scale).intoArray(scores, row + j0 + 3 * L);
            }
            for (; j0 < limit; j0 += L) {
                FloatVector acc = FloatVector.zero(S);
                for (int x = 0; x < e; x++) acc = FloatVector.fromArray(S, kt, x * ldt + j0).fma(FloatVector.broadcast(S, q[qAt + x]), acc);
                acc.intoArray(lanes, 0);
                for (int j = j0, n = Math.min(limit, j0 + L); j < n; j++) scores[row + j] = lanes[j - j0] / scale;
            }
            for (int j = limit; j < keyLen; j++) scores[row + j] = Float.NEGATIVE_INFINITY;
            if (padded != null) for (int j = 0; j < limit; j++) if (padded[paddedOff + j]) scores[row + j] = Float.NEGATIVE_INFINITY;
        }
    }

    /** {@code z_t = sum_j pattern[t*ldP + j] * v_j} over j < keyLen, skipping zero weights; z_t at {@code z[zOff + t*zStride]}. */
    public static void attentionValues(float[] pattern, int pOff, int ldP, int queries, int keyLen,
                                       float[] v, int vOff, int vStride, int e, float[] z, int zOff, int zStride) {
        // z_t is accumulated in registers, four vectors (GPT-2's d_head of 64) at a time, in the order of
        // axpy over j: each element gets the same fused multiply-adds as before, so the same bits.
        for (int t = 0; t < queries; t++) {
            int row = pOff + t * ldP, zAt = zOff + t * zStride, x0 = 0;
            for (; x0 + 4 * L <= e; x0 += 4 * L) {
                int at = zAt + x0;
                FloatVector a0 = FloatVector.fromArray(S, z, at), a1 = FloatVector.fromArray(S, z, at + L);
                FloatVector a2 = FloatVector.fromArray(S, z, at + 2 * L), a3 = FloatVector.fromArray(S, z, at + 3 * L);
                for (int j = 0; j < keyLen; j++) {
                    float p = pattern[row + j];
                    if (p == 0f) continue;
                    FloatVector pv = FloatVector.broadcast(S, p);
                    int vAt = vOff + j * vStride + x0;
                    a0 = FloatVector.fromArray(S, v, vAt).fma(pv, a0);
                    a1 = FloatVector.fromArray(S, v, vAt + L).fma(pv, a1);
                    a2 = FloatVector.fromArray(S, v, vAt + 2 * L).fma(pv, a2);
                    a3 = FloatVector.fromArray(S, v, vAt + 3 * L).fma(pv, a3);
                }
                a0.intoArray(z, at);
                a1.intoArray(z, at + L);
                a2.intoArray(z, at + 2 * L);
                a3.intoArray(z, at + 3 * L);
            }
            if (x0 == e) continue;
            for (int j = 0; j < keyLen; j++) {
                float p = pattern[row + j];
                if (p != 0f) axpy(p, v, vOff + j * vStride + x0, z, zAt + x0, e - x0);
            }
        }
    }

    // ---- exp and tanh -------------------------------------------------------------------------------
    // Own float32 approximations built from +, *, fma and bit operations only, in one formula for the
    // vector lanes and the scalar tail. The JDK's vector EXP/TANH (and Math.exp) may give different last
    // bits before and after JIT compilation; these give the same bits every run, so ranks and ties in
    // test_prompt never depend on warm-up. Accuracy about 1 ulp (Cephes' expf polynomial).

    private static final float LOG2E = 1.44269504088896341f, LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    private static final float ROUND = 0x1.8p23f;            // adding it rounds a float to an integer
    private static final float EXP_MIN = -87.3365478515625f; // below: the result is 0 (no subnormals)
    private static final float EXP_MAX = 88.72283935546875f; // above: +infinity
    private static final float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f,
            P3 = 4.1665795894e-2f, P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;

    /**
     * e^x in place over {@code a[off .. off+n)} (0 below -87.34 and for -infinity, +infinity above 88.72, NaN
     * stays NaN). The polynomial is written out in the loop rather than in a function of a vector: kernels
     * that need e^x call this on an array.
     */
    public static void exp(float[] a, int off, int n) {
        int i = 0, bound = S.loopBound(n);
        for (; i < bound; i += L) {
            FloatVector x = FloatVector.fromArray(S, a, off + i);
            FloatVector xc = x.max(EXP_MIN).min(EXP_MAX);
            FloatVector k = xc.fma(LOG2E, ROUND).sub(ROUND);
            FloatVector r = k.fma(bc(-LN2_HI), xc);
            r = k.fma(bc(-LN2_LO), r);
            FloatVector p = r.fma(P0, P1).fma(r, bc(P2)).fma(r, bc(P3)).fma(r, bc(P4)).fma(r, bc(P5));
            p = p.mul(r).fma(r, r).add(1f);
            // 2^k from the exponent bits; k is in [-126, 128] after clamping, split so 2^128 cannot overflow early
            IntVector ki = (IntVector) k.convert(VectorOperators.F2I, 0);
            IntVector half = ki.lanewise(VectorOperators.ASHR, 1);
            FloatVector s1 = half.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector s2 = ki.sub(half).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector result = p.mul(s1).mul(s2);
            result = result.blend(0f, x.compare(VectorOperators.LT, EXP_MIN));
            result = result.blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, EXP_MAX));
            result.blend(x, x.test(VectorOperators.IS_NAN)).intoArray(a, off + i);
        }
        for (; i < n; i++) a[off + i] = exp(a[off + i]);
    }

    private static FloatVector bc(float v) {
        return FloatVector.broadcast(S, v);
    }

    /** The scalar twin of {@link #exp(float[], int, int)}: the same operations, so the same bits. */
    public static float exp(float x) {
        if (Float.isNaN(x)) return x;
        if (x < EXP_MIN) return 0f;
        if (x > EXP_MAX) return Float.POSITIVE_INFINITY;
        float k = Math.fma(x, LOG2E, ROUND) - ROUND;
        float r = Math.fma(k, -LN2_HI, x);
        r = Math.fma(k, -LN2_LO, r);
        float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(r, P0, P1), r, P2), r, P3), r, P4), r, P5);
        p = Math.fma(p * r, r, r) + 1f;
        int ki = (int) k, half = ki >> 1;
        return p * Float.intBitsToFloat((half + 127) << 23) * Float.intBitsToFloat((ki - half + 127) << 23);
    }

    /** tanh(y) = sign(y) (1 - 2 / (e^{2|y|} + 1)); absolute error about 1e-7. */
    public static float tanh(float y) {
        if (Float.isNaN(y)) return y;
        float e = exp(Math.abs(y) * 2f);
        float t = 1f - 2f / (e + 1f);
        return y < 0f ? -t : t;
    }

    /** Sum of the lanes in lane order (VectorOperators.ADD's reduction order is unspecified). */
    static float sumLanes(FloatVector v) {
        float[] lanes = v.toArray();
        float s = 0f;
        for (float x : lanes) s += x;
        return s;
    }
}
