package dev.jlens.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A [rows, cols] float32 matrix read by rows (an embedding table), kept off the heap in a {@link MemorySegment}:
 * native memory or a region of a memory-mapped file, read in place.
 */
public final class RowTable {
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.nativeOrder());

    private final int rows, cols;
    private final MemorySegment data;

    private RowTable(int rows, int cols, MemorySegment data) {
        if (data.byteSize() != (long) rows * cols * Float.BYTES) {
            throw new IllegalArgumentException("a [" + rows + ", " + cols + "] table needs " + (long) rows * cols * Float.BYTES + " bytes, got " + data.byteSize());
        }
        this.rows = rows;
        this.cols = cols;
        this.data = data;
    }

    public static RowTable of(Tensor t) {
        if (t.rank() != 2) throw new IllegalArgumentException("a row table needs a matrix, got shape " + Shape.str(t.shape()));
        return new RowTable(t.shape(0), t.shape(1), PackedMatrix.offHeap(t.data(), t.offset(), t.size()));
    }

    public static RowTable of(int rows, int cols, MemorySegment segment) {
        return new RowTable(rows, cols, segment);
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public MemorySegment segment() {
        return data;
    }

    /** Copies row {@code r} to {@code dst[off .. off+cols)}. */
    public void copyRow(int r, float[] dst, int off) {
        MemorySegment.copy(data, FLOAT, (long) r * cols * Float.BYTES, dst, off, cols);
    }

    /** The whole table as a tensor (a copy). */
    public Tensor toTensor() {
        return Tensor.of(data.toArray(FLOAT), rows, cols);
    }
}
