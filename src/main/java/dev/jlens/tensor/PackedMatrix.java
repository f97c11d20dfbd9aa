package dev.jlens.tensor;

import jdk.incubator.vector.FloatVector;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static dev.jlens.tensor.Kernels.L;
import static dev.jlens.tensor.Kernels.S;

/**
 * A weight matrix B [k, n] stored for the product {@code C = A @ B + bias}: in column panels of
 * {@link #PANEL} columns, each panel contiguous over k ({@code panel p, row r, column j} lives at
 * {@code p*k*PANEL + r*PANEL + j}). The micro-kernel then streams each panel linearly, keeps a
 * 4-row x PANEL-column block of C in registers, and the weights never need repacking per call.
 * Columns beyond n in the last panel are zero.
 *
 * <p>The panels live off the heap in a {@link MemorySegment}: native memory for freshly processed weights,
 * or a region of a memory-mapped file of processed weights (see the model's weights cache), read in place.
 * Never a heap array: once the micro-kernel has seen both heap and off-heap segments, C2 compiles its
 * vector loads for either and the forward pass ran at half speed.
 */
public final class PackedMatrix {
    /** Columns per panel: four vectors. */
    public static final int PANEL = 4 * L;
    /** Products of at most this many rows stream each panel in slices ({@link #panelsFewRows}). */
    private static final int FEW_ROWS = 96;
    /** Weight rows per slice: 128 x PANEL floats, 32 KB with 512-bit vectors, stay in the L1 cache. */
    private static final int SLICE = 128;

    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(NATIVE);

    private final int k, n, panels;
    private final MemorySegment packed;
    /** B's transpose, packed the same way, made at the first {@link #transposed} call. */
    private volatile PackedMatrix transposed;

    private PackedMatrix(int k, int n, MemorySegment packed) {
        this.k = k;
        this.n = n;
        this.panels = (n + PANEL - 1) / PANEL;
        this.packed = packed;
    }

    /** Floats a packed [k, n] matrix occupies (panels padded to PANEL columns). */
    public static long packedFloats(int k, int n) {
        return (long) ((n + PANEL - 1) / PANEL) * k * PANEL;
    }

    /** A matrix whose panels are already in {@code segment} (native byte order), e.g. a mapped file region. */
    public static PackedMatrix of(int k, int n, MemorySegment segment) {
        if (segment.byteSize() != packedFloats(k, n) * Float.BYTES) {
            throw new IllegalArgumentException("a packed [" + k + ", " + n + "] matrix needs " + packedFloats(k, n) * Float.BYTES
                    + " bytes, the segment has " + segment.byteSize());
        }
        return new PackedMatrix(k, n, segment);
    }

    /** The packed panels, to be written somewhere and mapped back with {@link #of}. */
    public MemorySegment segment() {
        return packed;
    }

    /** A native copy of {@code floats[from .. from+count)}, freed when no longer reachable. */
    static MemorySegment offHeap(float[] floats, int from, int count) {
        MemorySegment segment = Arena.ofAuto().allocate((long) count * Float.BYTES, 64);
        MemorySegment.copy(floats, from, segment, FLOAT, 0, count);
        return segment;
    }

    /** Packs the row-major matrix {@code b[off ..]} of shape [k, n], straight into native memory. */
    public static PackedMatrix pack(float[] b, int off, int k, int n) {
        int panels = (n + PANEL - 1) / PANEL;
        MemorySegment packed = Arena.ofAuto().allocate(packedFloats(k, n) * Float.BYTES, 64);  // zeroed: the padding columns
        for (int p = 0; p < panels; p++) {
            int col0 = p * PANEL, width = Math.min(PANEL, n - col0);
            for (int r = 0; r < k; r++) {
                MemorySegment.copy(b, off + r * n + col0, packed, FLOAT, ((long) (p * k + r) * PANEL) * Float.BYTES, width);
            }
        }
        return new PackedMatrix(k, n, packed);
    }

    /** Packs B given as its transpose {@code bt} [n, k] (e.g. the unembedding from wte's [vocab, d_model] layout). */
    public static PackedMatrix packTransposed(Tensor bt) {
        if (bt.rank() != 2) throw new IllegalArgumentException("packTransposed needs a matrix, got shape " + Shape.str(bt.shape()));
        int n = bt.shape(0), k = bt.shape(1), panels = (n + PANEL - 1) / PANEL;
        float[] src = bt.data();
        MemorySegment packed = Arena.ofAuto().allocate(packedFloats(k, n) * Float.BYTES, 64);
        Parallel.forEach(panels, p -> {
            int col0 = p * PANEL, width = Math.min(PANEL, n - col0);
            float[] row = new float[PANEL];
            // one packed row (column r of PANEL source rows) at a time, then one contiguous copy into the panel
            for (int r = 0; r < k; r++) {
                for (int j = 0; j < width; j++) row[j] = src[bt.offset() + (col0 + j) * k + r];
                MemorySegment.copy(row, 0, packed, FLOAT, ((long) (p * k + r) * PANEL) * Float.BYTES, width);
            }
        });
        return new PackedMatrix(k, n, packed);
    }

    public static PackedMatrix pack(Tensor b) {
        if (b.rank() != 2) throw new IllegalArgumentException("pack needs a matrix, got shape " + Shape.str(b.shape()));
        return pack(b.data(), b.offset(), b.shape(0), b.shape(1));
    }

    /**
     * B's transpose [n, k], packed for {@link #multiply}: a backward pass's {@code g @ B.T} then runs on the forward
     * kernel, reading each panel in order, instead of gathering four weight rows from every panel (which ran at a
     * fifth of the forward's speed). Made once, on first use, and kept with this matrix: a model asked for
     * gradients holds its weights twice.
     */
    public PackedMatrix transposed() {
        PackedMatrix t = transposed;
        if (t == null) {
            synchronized (this) {
                t = transposed;
                if (t == null) transposed = t = packTranspose();
            }
        }
        return t;
    }

    /** B.T packed, straight from B's panels: panel q of B.T holds B's rows q*PANEL.., each of its rows one column of B. */
    private PackedMatrix packTranspose() {
        int tPanels = (k + PANEL - 1) / PANEL;
        MemorySegment out = Arena.ofAuto().allocate(packedFloats(n, k) * Float.BYTES, 64);  // zeroed: the padding columns
        long floatBytes = Float.BYTES;
        Parallel.forEach(tPanels, q -> {
            int r0 = q * PANEL, width = Math.min(PANEL, k - r0);
            float[] row = new float[PANEL];
            for (int j = 0; j < n; j++) {
                long from = ((long) (j / PANEL) * k * PANEL + (long) r0 * PANEL + j % PANEL) * floatBytes;
                for (int x = 0; x < width; x++) row[x] = packed.get(FLOAT, from + (long) x * PANEL * floatBytes);
                MemorySegment.copy(row, 0, out, FLOAT, ((long) q * n + j) * PANEL * floatBytes, width);
            }
        });
        return new PackedMatrix(n, k, out);
    }

    public int rows() {
        return k;
    }

    public int cols() {
        return n;
    }

    /** Column {@code j} of the matrix, {@code B[:, j]} (k values), read in place. */
    public float[] column(int j) {
        java.util.Objects.checkIndex(j, n);
        float[] out = new float[k];
        long at = ((long) (j / PANEL) * k * PANEL + j % PANEL) * Float.BYTES;
        for (int r = 0; r < k; r++) out[r] = packed.get(FLOAT, at + (long) r * PANEL * Float.BYTES);
        return out;
    }

    /** The matrix as a plain row-major [k, n] tensor (a copy). */
    public Tensor unpack() {
        float[] out = new float[k * n];
        for (int p = 0; p < panels; p++) {
            int col0 = p * PANEL, width = Math.min(PANEL, n - col0);
            for (int r = 0; r < k; r++) MemorySegment.copy(packed, FLOAT, ((long) (p * k + r) * PANEL) * Float.BYTES, out, r * n + col0, width);
        }
        return Tensor.of(out, k, n);
    }

    /**
     * {@code c[cOff + i*n + j] = sum_r a[aOff + i*k + r] * B[r, j] + bias[j]} for i in [0, m). A null bias
     * means zero. Column panels are spread over all cores; every row goes through the same 4-row
     * micro-kernel (a last block of fewer rows is padded), so a row's result does not depend on how many
     * rows it was computed with.
     */
    public void multiply(float[] a, int aOff, int m, float[] bias, float[] c, int cOff) {
        if (m == 0) return;
        int full = m / 4 * 4, tail = m - full;
        float[] tailRows = null;
        if (tail > 0) {
            tailRows = new float[4 * k];
            System.arraycopy(a, aOff + full * k, tailRows, 0, tail * k);
        }
        // Bias padded to whole panels, so the micro-kernel never needs a masked load or store: a masked
        // path taken once per call made C2 recompile the kernel into code ten times slower.
        float[] paddedBias = bias == null ? null : java.util.Arrays.copyOf(bias, panels * PANEL);
        final float[] padded = tailRows;
        Parallel.ChunkBody body = m <= FEW_ROWS
                ? (from, to) -> panelsFewRows(from, to, a, aOff, m, padded, paddedBias, c, cOff)
                : (from, to) -> panels(from, to, a, aOff, full, padded, tail, paddedBias, c, cOff);
        if ((long) m * k * n < 1 << 16) body.run(0, panels);  // too small to be worth waking another thread
        else Parallel.forChunks(panels, body);
    }

    /**
     * The product for a few rows (a forward pass of one prompt): each weight panel is then read from memory
     * once and used for only a few row blocks, so the kernel would wait on memory for the first block and
     * run from cache for the rest. Here the panel goes by in slices of {@link #SLICE} weight rows, small
     * enough for the L1 cache, and every row block takes its share of a slice before the next slice is
     * read: the reads stream ahead while the arithmetic runs. The sums are the same fused multiply-adds in
     * the same order (a partial result is stored and reloaded as the float it is), so the same bits.
     */
    private void panelsFewRows(int from, int to, float[] a, int aOff, int m, float[] tailRows, float[] bias, float[] c, int cOff) {
        int full = m / 4 * 4, blocks = (m + 3) / 4;
        float[] tile = new float[blocks * 4 * PANEL];  // this panel's columns of C, all row blocks
        for (int p = from; p < to; p++) {
            int col0 = p * PANEL, width = Math.min(PANEL, n - col0), pOff = p * k * PANEL;
            for (int b = 0; b < blocks; b++) startAtBias(bias, col0, tile, 4 * b * PANEL, PANEL);
            for (int r0 = 0; r0 < k; r0 += SLICE) {
                int r1 = Math.min(k, r0 + SLICE);
                for (int b = 0; b < blocks; b++) {
                    int i = 4 * b;
                    if (i < full) rows4(a, aOff + i * k, pOff, tile, i * PANEL, PANEL, r0, r1);
                    else rows4(tailRows, 0, pOff, tile, i * PANEL, PANEL, r0, r1);
                }
            }
            for (int i = 0; i < m; i++) System.arraycopy(tile, i * PANEL, c, cOff + i * n + col0, width);
        }
    }

    private void panels(int from, int to, float[] a, int aOff, int full, float[] tailRows, int tail, float[] bias, float[] c, int cOff) {
        float[] block = new float[4 * PANEL];  // a 4 x PANEL result that cannot go to C directly
        for (int p = from; p < to; p++) {
            int col0 = p * PANEL, width = Math.min(PANEL, n - col0), pOff = p * k * PANEL;
            for (int i = 0; i < full; i += 4) {
                if (width == PANEL) {
                    startAtBias(bias, col0, c, cOff + i * n + col0, n);
                    rows4(a, aOff + i * k, pOff, c, cOff + i * n + col0, n, 0, k);
                } else {
                    startAtBias(bias, col0, block, 0, PANEL);
                    rows4(a, aOff + i * k, pOff, block, 0, PANEL, 0, k);
                    for (int r = 0; r < 4; r++) System.arraycopy(block, r * PANEL, c, cOff + (i + r) * n + col0, width);
                }
            }
            if (tail > 0) {
                startAtBias(bias, col0, block, 0, PANEL);
                rows4(tailRows, 0, pOff, block, 0, PANEL, 0, k);
                for (int r = 0; r < tail; r++) System.arraycopy(block, r * PANEL, c, cOff + (full + r) * n + col0, width);
            }
        }
    }

    /** Sets four PANEL-wide rows of C from {@code cAt} (row stride ldc) to the bias of columns {@code col0..}, or to 0. */
    private static void startAtBias(float[] bias, int col0, float[] c, int cAt, int ldc) {
        for (int r = 0; r < 4; r++) {
            if (bias == null) java.util.Arrays.fill(c, cAt + r * ldc, cAt + r * ldc + PANEL, 0f);
            else System.arraycopy(bias, col0, c, cAt + r * ldc, PANEL);
        }
    }
    /**
     * Adds four rows of A (stride k) times weight rows {@code r0..r1} of one panel to the four PANEL-wide rows
     * of C from {@code cAt} (row stride ldc), which hold the bias ({@link #startAtBias}) or the sums of the
     * rows before r0. Starting from values in C rather than choosing between the bias and C here keeps
     * every vector on one path: where two paths met, C2 boxed the vectors and the kernel ran ten times slower.
     * For the same reason the 16 loads are written out here and in {@link #transposedPanel}: even a one-line
     * helper for them made this kernel four times slower (measured on an AMD EPYC Zen 5).
     */
    private void rows4(float[] a, int a0, int pOff, float[] c, int cAt, int ldc, int r0, int r1) {
        int c1 = cAt + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        FloatVector c00 = FloatVector.fromArray(S, c, cAt), c01 = FloatVector.fromArray(S, c, cAt + L), c02 = FloatVector.fromArray(S, c, cAt + 2 * L), c03 = FloatVector.fromArray(S, c, cAt + 3 * L);
        FloatVector c10 = FloatVector.fromArray(S, c, c1), c11 = FloatVector.fromArray(S, c, c1 + L), c12 = FloatVector.fromArray(S, c, c1 + 2 * L), c13 = FloatVector.fromArray(S, c, c1 + 3 * L);
        FloatVector c20 = FloatVector.fromArray(S, c, c2), c21 = FloatVector.fromArray(S, c, c2 + L), c22 = FloatVector.fromArray(S, c, c2 + 2 * L), c23 = FloatVector.fromArray(S, c, c2 + 3 * L);
        FloatVector c30 = FloatVector.fromArray(S, c, c3), c31 = FloatVector.fromArray(S, c, c3 + L), c32 = FloatVector.fromArray(S, c, c3 + 2 * L), c33 = FloatVector.fromArray(S, c, c3 + 3 * L);
        final MemorySegment w = packed;
        final int a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
        final long vecBytes = (long) L * Float.BYTES;
        long po = ((long) pOff + (long) r0 * PANEL) * Float.BYTES;
        for (int r = r0; r < r1; r++, po += 4 * vecBytes) {
            FloatVector b0 = FloatVector.fromMemorySegment(S, w, po, NATIVE);
            FloatVector b1 = FloatVector.fromMemorySegment(S, w, po + vecBytes, NATIVE);
            FloatVector b2 = FloatVector.fromMemorySegment(S, w, po + 2 * vecBytes, NATIVE);
            FloatVector b3 = FloatVector.fromMemorySegment(S, w, po + 3 * vecBytes, NATIVE);
            FloatVector x = FloatVector.broadcast(S, a[a0 + r]);
            c00 = b0.fma(x, c00); c01 = b1.fma(x, c01); c02 = b2.fma(x, c02); c03 = b3.fma(x, c03);
            x = FloatVector.broadcast(S, a[a1 + r]);
            c10 = b0.fma(x, c10); c11 = b1.fma(x, c11); c12 = b2.fma(x, c12); c13 = b3.fma(x, c13);
            x = FloatVector.broadcast(S, a[a2 + r]);
            c20 = b0.fma(x, c20); c21 = b1.fma(x, c21); c22 = b2.fma(x, c22); c23 = b3.fma(x, c23);
            x = FloatVector.broadcast(S, a[a3 + r]);
            c30 = b0.fma(x, c30); c31 = b1.fma(x, c31); c32 = b2.fma(x, c32); c33 = b3.fma(x, c33);
        }
        store(c00, c01, c02, c03, c, cAt);
        store(c10, c11, c12, c13, c, cAt + ldc);
        store(c20, c21, c22, c23, c, cAt + 2 * ldc);
        store(c30, c31, c32, c33, c, cAt + 3 * ldc);
    }

    /**
     * The product with the transpose, {@code c[cOff + i*k + r] = sum_j g[gOff + i*n + j] * B[r, j]} for i in
     * [0, m): the gradient of {@link #multiply}'s input from the gradient of its output, reading B in place. For
     * a few rows of g it streams B once at memory speed (the unembedding's backward, where a copy would cost
     * 154 MB); for many, {@code transposed().multiply} is faster. Weight rows are spread
     * over the cores. Each (row of g, weight row) sum is one vector accumulator over the panels in order, its
     * lanes added in order at the end, whichever of the two loops below computes it, so both give the same bits.
     */
    public void multiplyTransposed(float[] g, int gOff, int m, float[] c, int cOff) {
        if (m == 0) return;
        int width = panels * PANEL, blocks = (m + 3) / 4;
        // g padded to whole panels and to whole blocks of four rows, so every load is a full vector
        float[] gp = new float[blocks * 4 * width];
        for (int i = 0; i < m; i++) System.arraycopy(g, gOff + i * n, gp, i * width, n);
        Parallel.ChunkBody body = blocks == 1 ? streamingTransposed(gp, m, c, cOff) : tiledTransposed(gp, blocks, m, c, cOff);
        int quads = (k + 3) / 4;
        if ((long) m * k * n < 1 << 16) body.run(0, quads);
        else Parallel.forChunks(quads, body);
    }

    /**
     * For many rows of g: a thread takes as many quads of weight rows at a time as fit, with all their panels,
     * half of a core's L2 cache ({@link CacheSizes}), and runs every block of four rows of g over them, so the
     * weights come from memory once and from L2 for the other blocks; 16 sums stay in registers.
     */
    private Parallel.ChunkBody tiledTransposed(float[] gp, int blocks, int m, float[] c, int cOff) {
        int width = panels * PANEL;
        int quadsAtATime = (int) Math.max(1, CacheSizes.L2_BYTES / 2 / ((long) panels * 4 * PANEL * Float.BYTES));
        return (fromQuad, toQuad) -> {
            for (int q0 = fromQuad; q0 < toQuad; q0 += quadsAtATime) {
                int q1 = Math.min(toQuad, q0 + quadsAtATime);
                for (int b = 0; b < blocks; b++) {
                    for (int q = q0; q < q1; q++) transposedRows4(gp, 4 * b * width, width, 4 * q, c, cOff, m, 4 * b);
                }
            }
        };
    }

    /**
     * {@code c[i, r + x]} for the four rows i0.. of padded g (row stride width) and the four weight rows r..
     * (those below k): every load of g serves four weight rows and every load of the weights four rows of g,
     * and each panel is read as one contiguous run of four weight rows.
     */
    private void transposedRows4(float[] g, int g0, int width, int r, float[] c, int cOff, int m, int i0) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        FloatVector d0 = a0, d1 = a0, d2 = a0, d3 = a0, e0 = a0, e1 = a0, e2 = a0, e3 = a0;
        final MemorySegment w = packed;
        final long vecBytes = (long) L * Float.BYTES, rowBytes = (long) PANEL * Float.BYTES;
        // weight rows beyond k read row r again (a valid address) and their sums are not stored
        final long next1 = r + 1 < k ? rowBytes : 0, next2 = r + 2 < k ? 2 * rowBytes : 0, next3 = r + 3 < k ? 3 * rowBytes : 0;
        final int g1 = g0 + width, g2 = g1 + width, g3 = g2 + width;
        for (int p = 0; p < panels; p++) {
            long po = ((long) p * k * PANEL + (long) r * PANEL) * Float.BYTES;
            int col = p * PANEL;
            for (int v = 0; v < 4; v++, col += L, po += vecBytes) {
                FloatVector w0 = FloatVector.fromMemorySegment(S, w, po, NATIVE), w1 = FloatVector.fromMemorySegment(S, w, po + next1, NATIVE);
                FloatVector w2 = FloatVector.fromMemorySegment(S, w, po + next2, NATIVE), w3 = FloatVector.fromMemorySegment(S, w, po + next3, NATIVE);
                FloatVector x = FloatVector.fromArray(S, g, g0 + col);
                a0 = x.fma(w0, a0); b0 = x.fma(w1, b0); d0 = x.fma(w2, d0); e0 = x.fma(w3, e0);
                x = FloatVector.fromArray(S, g, g1 + col);
                a1 = x.fma(w0, a1); b1 = x.fma(w1, b1); d1 = x.fma(w2, d1); e1 = x.fma(w3, e1);
                x = FloatVector.fromArray(S, g, g2 + col);
                a2 = x.fma(w0, a2); b2 = x.fma(w1, b2); d2 = x.fma(w2, d2); e2 = x.fma(w3, e2);
                x = FloatVector.fromArray(S, g, g3 + col);
                a3 = x.fma(w0, a3); b3 = x.fma(w1, b3); d3 = x.fma(w2, d3); e3 = x.fma(w3, e3);
            }
        }
        // the lanes are summed in order in scalar code: the Vector API's reduction may add them in another
        // order once compiled, and a gradient would then depend on the JIT's progress
        float[] lanes = new float[16 * L];
        store(a0, b0, d0, e0, lanes, 0);
        store(a1, b1, d1, e1, lanes, 4 * L);
        store(a2, b2, d2, e2, lanes, 8 * L);
        store(a3, b3, d3, e3, lanes, 12 * L);
        for (int i = 0; i < 4 && i0 + i < m; i++) {
            for (int x = 0; x < 4 && r + x < k; x++) c[cOff + (i0 + i) * k + r + x] = sumLanes(lanes, (4 * i + x) * L);
        }
    }

    /** {@code a[at] + a[at + 1] + ... + a[at + L - 1]}, in that order. */
    private static float sumLanes(float[] a, int at) {
        float s = 0f;
        for (int j = 0; j < L; j++) s += a[at + j];
        return s;
    }

    /**
     * For at most four rows of g (a metric that reads one position: the unembedding's backward streams 154 MB
     * for one row): a thread streams its weight rows' slice of every panel once, in memory order, keeping the
     * vector sums in a scratch array instead of registers, so the reads run ahead at memory speed instead of
     * hopping from panel to panel.
     */
    private Parallel.ChunkBody streamingTransposed(float[] gp, int m, float[] c, int cOff) {
        int width = panels * PANEL;
        return (fromQuad, toQuad) -> {
            int r0 = 4 * fromQuad, rows = Math.min(k, 4 * toQuad) - r0;
            float[] sums = new float[4 * rows * L];  // [row of g][weight row - r0][lane]
            for (int p = 0; p < panels; p++) transposedPanel(gp, p * PANEL, width, p, r0, rows, sums);
            for (int i = 0; i < m; i++) {
                for (int r = 0; r < rows; r++) c[cOff + i * k + r0 + r] = sumLanes(sums, (i * rows + r) * L);
            }
        };
    }

    /**
     * Adds panel p's part to the vector sums of four rows of padded g (from {@code g0}, row stride width, the
     * panel's columns) and weight rows r0.. ({@code rows} of them), at {@code sums[(q*rows + r)*L]} for row q
     * of g: the 16 vectors of g stay in registers while the panel's rows stream by.
     */
    private void transposedPanel(float[] g, int g0, int width, int p, int r0, int rows, float[] sums) {
        final int g1 = g0 + width, g2 = g1 + width, g3 = g2 + width;
        FloatVector x00 = FloatVector.fromArray(S, g, g0), x01 = FloatVector.fromArray(S, g, g0 + L), x02 = FloatVector.fromArray(S, g, g0 + 2 * L), x03 = FloatVector.fromArray(S, g, g0 + 3 * L);
        FloatVector x10 = FloatVector.fromArray(S, g, g1), x11 = FloatVector.fromArray(S, g, g1 + L), x12 = FloatVector.fromArray(S, g, g1 + 2 * L), x13 = FloatVector.fromArray(S, g, g1 + 3 * L);
        FloatVector x20 = FloatVector.fromArray(S, g, g2), x21 = FloatVector.fromArray(S, g, g2 + L), x22 = FloatVector.fromArray(S, g, g2 + 2 * L), x23 = FloatVector.fromArray(S, g, g2 + 3 * L);
        FloatVector x30 = FloatVector.fromArray(S, g, g3), x31 = FloatVector.fromArray(S, g, g3 + L), x32 = FloatVector.fromArray(S, g, g3 + 2 * L), x33 = FloatVector.fromArray(S, g, g3 + 3 * L);
        final MemorySegment w = packed;
        final long vecBytes = (long) L * Float.BYTES;
        final int q1 = rows * L, q2 = 2 * q1, q3 = 3 * q1;
        long po = ((long) p * k * PANEL + (long) r0 * PANEL) * Float.BYTES;
        for (int r = 0, at = 0; r < rows; r++, at += L, po += 4 * vecBytes) {
            FloatVector w0 = FloatVector.fromMemorySegment(S, w, po, NATIVE), w1 = FloatVector.fromMemorySegment(S, w, po + vecBytes, NATIVE);
            FloatVector w2 = FloatVector.fromMemorySegment(S, w, po + 2 * vecBytes, NATIVE), w3 = FloatVector.fromMemorySegment(S, w, po + 3 * vecBytes, NATIVE);
            x03.fma(w3, x02.fma(w2, x01.fma(w1, x00.fma(w0, FloatVector.fromArray(S, sums, at))))).intoArray(sums, at);
            x13.fma(w3, x12.fma(w2, x11.fma(w1, x10.fma(w0, FloatVector.fromArray(S, sums, at + q1))))).intoArray(sums, at + q1);
            x23.fma(w3, x22.fma(w2, x21.fma(w1, x20.fma(w0, FloatVector.fromArray(S, sums, at + q2))))).intoArray(sums, at + q2);
            x33.fma(w3, x32.fma(w2, x31.fma(w1, x30.fma(w0, FloatVector.fromArray(S, sums, at + q3))))).intoArray(sums, at + q3);
        }
    }

    private static void store(FloatVector v0, FloatVector v1, FloatVector v2, FloatVector v3, float[] c, int at) {
        v0.intoArray(c, at);
        v1.intoArray(c, at + L);
        v2.intoArray(c, at + 2 * L);
        v3.intoArray(c, at + 3 * L);
    }
}
