package dev.jlens.tensor;

import java.util.Arrays;

/**
 * An int tensor for token ids and positions: {@code model.toTokens(...)} gives [batch, pos], answer tokens
 * are [batch, 2], {@link Tensor#topk} returns its indices as one. Immutable.
 */
public final class IntTensor extends Shaped {
    private final int[] data;

    private IntTensor(int[] data, int[] shape) {
        if (Shape.numel(shape) != data.length) throw new IllegalArgumentException(data.length + " values do not fit shape " + Shape.str(shape));
        super(shape);
        this.data = data;
    }

    /** Copies {@code data} into a tensor of this shape (-1 inferred). */
    public static IntTensor of(int[] data, int... shape) {
        return new IntTensor(data.clone(), shape.length == 0 && data.length == 1 ? shape : Shape.infer(data.length, shape));
    }

    /** Equal-length rows as a [rows, cols] tensor. */
    public static IntTensor of(int[][] rows) {
        int cols = rows.length == 0 ? 0 : rows[0].length;
        int[] d = new int[rows.length * cols];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != cols) throw new IllegalArgumentException("ragged rows: row " + i + " has " + rows[i].length + " values, row 0 has " + cols);
            System.arraycopy(rows[i], 0, d, i * cols, cols);
        }
        return new IntTensor(d, new int[] {rows.length, cols});
    }

    public static IntTensor scalar(int value) {
        return new IntTensor(new int[] {value}, new int[0]);
    }

    public int size() {
        return data.length;
    }

    /** The value at a full index; negative positions count from the end. */
    public int item(int... index) {
        if (index.length != shape.length) throw new IllegalArgumentException("need " + shape.length + " indices for shape " + Shape.str(shape));
        int flat = 0;
        for (int d = 0; d < shape.length; d++) {
            int i = index[d] < 0 ? index[d] + shape[d] : index[d];
            if (i < 0 || i >= shape[d]) throw new IndexOutOfBoundsException("index " + index[d] + " out of range for dimension " + d + " of size " + shape[d]);
            flat = flat * shape[d] + i;
        }
        return data[flat];
    }

    /** The single value of a one-element tensor. */
    public int item() {
        if (data.length != 1) throw new IllegalStateException("item() needs exactly one element, shape is " + Shape.str(shape));
        return data[0];
    }

    int flat(int i) {
        return data[i];
    }

    /** Row {@code i} of the first dimension (negative from the end), one dimension less. */
    public IntTensor get(int i) {
        if (shape.length == 0) throw new IllegalStateException("cannot index a scalar");
        int n = shape[0], r = i < 0 ? i + n : i;
        if (r < 0 || r >= n) throw new IndexOutOfBoundsException("row " + i + " of " + n);
        int inner = data.length / Math.max(1, n);
        return new IntTensor(Arrays.copyOfRange(data, r * inner, (r + 1) * inner), Arrays.copyOfRange(shape, 1, shape.length));
    }

    /** Values of a vector, or row {@code i}'s values of a matrix. */
    public int[] row(int i) {
        return get(i).toArray();
    }

    public int[] toArray() {
        return data.clone();
    }

    public int[][] toMatrix() {
        if (shape.length != 2) throw new IllegalStateException("toMatrix needs rank 2, shape is " + Shape.str(shape));
        int[][] m = new int[shape[0]][];
        for (int i = 0; i < shape[0]; i++) m[i] = Arrays.copyOfRange(data, i * shape[1], (i + 1) * shape[1]);
        return m;
    }

    public IntTensor reshape(int... newShape) {
        return new IntTensor(data, Shape.infer(data.length, newShape));
    }

    /** Column {@code j} of a matrix. */
    public IntTensor column(int j) {
        if (shape.length != 2) throw new IllegalStateException("column needs rank 2");
        int c = j < 0 ? j + shape[1] : j;
        int[] out = new int[shape[0]];
        for (int i = 0; i < shape[0]; i++) out[i] = data[i * shape[1] + c];
        return new IntTensor(out, new int[] {shape[0]});
    }

    public Tensor toFloat() {
        float[] f = new float[data.length];
        for (int i = 0; i < f.length; i++) f[i] = data[i];
        return Tensor.of(f, shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IntTensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        // PyTorch names an empty tensor's dtype (and its size unless it is a vector); token ids are int64 there
        if (data.length == 0) return "tensor([], " + (shape.length == 1 ? "" : "size=(" + String.join(", ", Arrays.stream(shape).mapToObj(Integer::toString).toList()) + "), ") + "dtype=torch.int64)";
        return "tensor(" + TensorFormat.ints(this, "tensor(".length()) + ")";
    }
}
