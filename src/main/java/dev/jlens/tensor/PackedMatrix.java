package dev.jlens.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

import static dev.jlens.tensor.Kernels.L;
import static dev.jlens.tensor.Kernels.S;

/**
 * A weight matrix B [k, n] stored for the product {@code C = A @ B + bias}: in column panels of
 * {@link #PANEL} columns, each panel contiguous over k ({@code panel p, row r, column j} lives at
 * {@code p*k*PANEL + r*PANEL + j}). The micro-kernel then streams each panel linearly, keeps a
 * 4-row x PANEL-column block of C in registers, and the weights never need repacking per call.
 * Columns beyond n in the last panel are zero.
 */
public final class PackedMatrix {
    /** Columns per panel: four vectors. */
    public static final int PANEL = 4 * L;

    private final int k, n, panels;
    private final float[] packed;

    private PackedMatrix(int k, int n, float[] packed) {
        this.k = k;
        this.n = n;
        this.panels = (n + PANEL - 1) / PANEL;
        this.packed = packed;
    }

    /** Packs the row-major matrix {@code b[off ..]} of shape [k, n]. */
    public static PackedMatrix pack(float[] b, int off, int k, int n) {
        int panels = (n + PANEL - 1) / PANEL;
        float[] packed = new float[Math.multiplyExact(Math.multiplyExact(panels, k), PANEL)];
        for (int p = 0; p < panels; p++) {
            int col0 = p * PANEL, width = Math.min(PANEL, n - col0);
            for (int r = 0; r < k; r++) {
                System.arraycopy(b, off + r * n + col0, packed, (p * k + r) * PANEL, width);
            }
        }
        return new PackedMatrix(k, n, packed);
    }

    public static PackedMatrix pack(Tensor b) {
        if (b.rank() != 2) throw new IllegalArgumentException("pack needs a matrix, got shape " + Shape.str(b.shape()));
        return pack(b.data(), b.offset(), b.shape(0), b.shape(1));
    }

    public int rows() {
        return k;
    }

    public int cols() {
        return n;
    }

    /** The matrix as a plain row-major [k, n] tensor (a copy). */
    public Tensor unpack() {
        float[] out = new float[k * n];
        for (int p = 0; p < panels; p++) {
            int col0 = p * PANEL, width = Math.min(PANEL, n - col0);
            for (int r = 0; r < k; r++) System.arraycopy(packed, (p * k + r) * PANEL, out, r * n + col0, width);
        }
        return Tensor.of(out, k, n);
    }

    /**
     * {@code c[cOff + i*n + j] = sum_r a[aOff + i*k + r] * B[r, j] + bias[j]} for i in [0, m). A null bias
     * means zero. Column panels are spread over all cores.
     */
    public void multiply(float[] a, int aOff, int m, float[] bias, float[] c, int cOff) {
        if (m == 0) return;
        // Few panels and few rows: not worth waking the pool.
        if ((long) m * k * n < 1 << 16) {
            for (int p = 0; p < panels; p++) panel(p, a, aOff, m, bias, c, cOff);
            return;
        }
        Parallel.forChunks(panels, (from, to) -> {
            for (int p = from; p < to; p++) panel(p, a, aOff, m, bias, c, cOff);
        });
    }

    private void panel(int p, float[] a, int aOff, int m, float[] bias, float[] c, int cOff) {
        int col0 = p * PANEL, width = Math.min(PANEL, n - col0), pOff = p * k * PANEL;
        int i = 0;
        for (; i + 4 <= m; i += 4) rows4(a, aOff + i * k, pOff, bias, col0, width, c, cOff + i * n);
        for (; i < m; i++) rows1(a, aOff + i * k, pOff, bias, col0, width, c, cOff + i * n);
    }

    private FloatVector init(float[] bias, int col, int width, int v) {
        if (bias == null || v * L >= width) return FloatVector.zero(S);
        return FloatVector.fromArray(S, bias, col + v * L, Kernels.firstLanes(width - v * L));
    }

    /** Four rows of A (stride k) times one panel, written to four rows of C (stride n). */
    private void rows4(float[] a, int a0, int pOff, float[] bias, int col0, int width, float[] c, int c0) {
        FloatVector i0 = init(bias, col0, width, 0), i1 = init(bias, col0, width, 1);
        FloatVector i2 = init(bias, col0, width, 2), i3 = init(bias, col0, width, 3);
        FloatVector c00 = i0, c01 = i1, c02 = i2, c03 = i3;
        FloatVector c10 = i0, c11 = i1, c12 = i2, c13 = i3;
        FloatVector c20 = i0, c21 = i1, c22 = i2, c23 = i3;
        FloatVector c30 = i0, c31 = i1, c32 = i2, c33 = i3;
        final float[] w = packed;
        final int a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
        for (int r = 0, po = pOff; r < k; r++, po += PANEL) {
            FloatVector b0 = FloatVector.fromArray(S, w, po);
            FloatVector b1 = FloatVector.fromArray(S, w, po + L);
            FloatVector b2 = FloatVector.fromArray(S, w, po + 2 * L);
            FloatVector b3 = FloatVector.fromArray(S, w, po + 3 * L);
            FloatVector x = FloatVector.broadcast(S, a[a0 + r]);
            c00 = b0.fma(x, c00); c01 = b1.fma(x, c01); c02 = b2.fma(x, c02); c03 = b3.fma(x, c03);
            x = FloatVector.broadcast(S, a[a1 + r]);
            c10 = b0.fma(x, c10); c11 = b1.fma(x, c11); c12 = b2.fma(x, c12); c13 = b3.fma(x, c13);
            x = FloatVector.broadcast(S, a[a2 + r]);
            c20 = b0.fma(x, c20); c21 = b1.fma(x, c21); c22 = b2.fma(x, c22); c23 = b3.fma(x, c23);
            x = FloatVector.broadcast(S, a[a3 + r]);
            c30 = b0.fma(x, c30); c31 = b1.fma(x, c31); c32 = b2.fma(x, c32); c33 = b3.fma(x, c33);
        }
        store(c00, c01, c02, c03, c, c0 + col0, width);
        store(c10, c11, c12, c13, c, c0 + n + col0, width);
        store(c20, c21, c22, c23, c, c0 + 2 * n + col0, width);
        store(c30, c31, c32, c33, c, c0 + 3 * n + col0, width);
    }

    private void rows1(float[] a, int a0, int pOff, float[] bias, int col0, int width, float[] c, int c0) {
        FloatVector c00 = init(bias, col0, width, 0), c01 = init(bias, col0, width, 1);
        FloatVector c02 = init(bias, col0, width, 2), c03 = init(bias, col0, width, 3);
        final float[] w = packed;
        for (int r = 0, po = pOff; r < k; r++, po += PANEL) {
            FloatVector x = FloatVector.broadcast(S, a[a0 + r]);
            c00 = FloatVector.fromArray(S, w, po).fma(x, c00);
            c01 = FloatVector.fromArray(S, w, po + L).fma(x, c01);
            c02 = FloatVector.fromArray(S, w, po + 2 * L).fma(x, c02);
            c03 = FloatVector.fromArray(S, w, po + 3 * L).fma(x, c03);
        }
        store(c00, c01, c02, c03, c, c0 + col0, width);
    }

    private static void store(FloatVector v0, FloatVector v1, FloatVector v2, FloatVector v3, float[] c, int at, int width) {
        if (width == PANEL) {
            v0.intoArray(c, at);
            v1.intoArray(c, at + L);
            v2.intoArray(c, at + 2 * L);
            v3.intoArray(c, at + 3 * L);
            return;
        }
        FloatVector[] vs = {v0, v1, v2, v3};
        for (int v = 0; v < 4 && v * L < width; v++) {
            VectorMask<Float> mask = Kernels.firstLanes(width - v * L);
            vs[v].intoArray(c, at + v * L, mask);
        }
    }
}
