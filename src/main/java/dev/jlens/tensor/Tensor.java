package dev.jlens.tensor;

import java.util.Arrays;
import java.util.List;

/**
 * A float32 tensor: a shape and a contiguous row-major block of a {@code float[]}.
 *
 * <p>Value semantics by default: every operation returns a new tensor, and indexing with {@link #get}
 * copies. The exceptions are named as such: {@link #reshape}/{@link #view} share storage, and the
 * in-place writers ({@link #set}, {@link #put}, {@link #fill}, {@link #copyFrom}) change this tensor, which is
 * how a hook edits an activation (TransformerLens' {@code act[:, pos] = clean[:, pos]}).
 *
 * <p>Indices follow Python: negative positions count from the end; dimensions can be negative too.
 */
public final class Tensor extends Shaped {
    private final float[] data;
    private final int offset;
    private final int size;

    private Tensor(float[] data, int offset, int[] shape) {
        super(shape);
        this.data = data;
        this.offset = offset;
        this.size = Shape.numel(shape);
        if (offset < 0 || offset + size > data.length) {
            throw new IllegalArgumentException("shape " + Shape.str(shape) + " at offset " + offset + " does not fit " + data.length + " values");
        }
    }

    // ---- construction ---------------------------------------------------------------------------------

    /** Wraps {@code data} (no copy) as a tensor of the given shape; -1 in the shape is inferred. */
    public static Tensor of(float[] data, int... shape) {
        return new Tensor(data, 0, shape.length == 0 && data.length == 1 ? shape : Shape.infer(data.length, shape));
    }

    /** A view of {@code data[offset ..]} with this shape (no copy). */
    public static Tensor wrap(float[] data, int offset, int... shape) {
        return new Tensor(data, offset, shape.clone());
    }

    public static Tensor of(float[][] rows) {
        int cols = rows.length == 0 ? 0 : rows[0].length;
        float[] d = new float[rows.length * cols];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != cols) throw new IllegalArgumentException("ragged rows: row " + i + " has " + rows[i].length + " values, row 0 has " + cols);
            System.arraycopy(rows[i], 0, d, i * cols, cols);
        }
        return new Tensor(d, 0, new int[] {rows.length, cols});
    }

    public static Tensor zeros(int... shape) {
        return new Tensor(new float[Shape.numel(shape)], 0, shape.clone());
    }

    public static Tensor full(float value, int... shape) {
        Tensor t = zeros(shape);
        Arrays.fill(t.data, value);
        return t;
    }

    public static Tensor scalar(float value) {
        return new Tensor(new float[] {value}, 0, new int[0]);
    }

    /** [0, 1, ..., n-1]. */
    public static Tensor arange(int n) {
        float[] d = new float[n];
        for (int i = 0; i < n; i++) d[i] = i;
        return new Tensor(d, 0, new int[] {n});
    }

    /** Stacks equal-shaped tensors along a new dimension. */
    public static Tensor stack(List<Tensor> tensors, int dim) {
        if (tensors.isEmpty()) throw new IllegalArgumentException("stack needs at least one tensor");
        int[] s = tensors.getFirst().shape;
        for (Tensor t : tensors) {
            if (!Arrays.equals(t.shape, s)) throw new IllegalArgumentException("stack needs equal shapes, got " + Shape.str(s) + " and " + Shape.str(t.shape));
        }
        int d = Shape.axis(dim, s.length + 1);
        int[] expanded = new int[s.length + 1];
        for (int i = 0, j = 0; i < expanded.length; i++) expanded[i] = i == d ? 1 : s[j++];
        return concat(tensors.stream().map(t -> t.reshape(expanded)).toList(), d);
    }

    /** Concatenates along an existing dimension. */
    public static Tensor concat(List<Tensor> tensors, int dim) {
        if (tensors.isEmpty()) throw new IllegalArgumentException("concat needs at least one tensor");
        int[] first = tensors.getFirst().shape;
        int d = Shape.axis(dim, first.length);
        int total = 0;
        for (Tensor t : tensors) {
            if (t.rank() != first.length) throw new IllegalArgumentException("concat needs equal ranks");
            for (int i = 0; i < first.length; i++) {
                if (i != d && t.shape[i] != first[i]) throw new IllegalArgumentException("concat: shapes " + Shape.str(first) + " and " + Shape.str(t.shape) + " differ outside dimension " + dim);
            }
            total += t.shape[d];
        }
        int[] out = first.clone();
        out[d] = total;
        Tensor r = zeros(out);
        int outer = 1, inner = 1;
        for (int i = 0; i < d; i++) outer *= first[i];
        for (int i = d + 1; i < first.length; i++) inner *= first[i];
        int at = 0;
        for (Tensor t : tensors) {
            int block = t.shape[d] * inner;
            for (int o = 0; o < outer; o++) {
                System.arraycopy(t.data, t.offset + o * block, r.data, o * total * inner + at * inner, block);
            }
            at += t.shape[d];
        }
        return r;
    }

    // ---- shape and storage ----------------------------------------------------------------------------

    public int size() {
        return size;
    }

    /** The backing array; this tensor's values are {@code data()[offset() .. offset()+size())}. */
    public float[] data() {
        return data;
    }

    public int offset() {
        return offset;
    }

    /** A fresh array with this tensor's values. */
    public float[] toArray() {
        return Arrays.copyOfRange(data, offset, offset + size);
    }

    /** Rows of a matrix as arrays. */
    public float[][] toMatrix() {
        if (rank() != 2) throw new IllegalStateException("toMatrix needs rank 2, shape is " + Shape.str(shape));
        float[][] m = new float[shape[0]][];
        for (int i = 0; i < shape[0]; i++) m[i] = Arrays.copyOfRange(data, offset + i * shape[1], offset + (i + 1) * shape[1]);
        return m;
    }

    /** The single value of a one-element tensor. */
    public float item() {
        if (size != 1) throw new IllegalStateException("item() needs exactly one element, shape is " + Shape.str(shape));
        return data[offset];
    }

    /** The value at a full index (negative positions count from the end). */
    public float item(int... index) {
        return data[offset + flatIndex(index)];
    }

    /** Writes one value in place. */
    public void put(float value, int... index) {
        data[offset + flatIndex(index)] = value;
    }

    private int flatIndex(int[] index) {
        if (index.length != shape.length) throw new IllegalArgumentException("need " + shape.length + " indices for shape " + Shape.str(shape) + ", got " + index.length);
        int flat = 0;
        for (int d = 0; d < shape.length; d++) {
            int i = index[d] < 0 ? index[d] + shape[d] : index[d];
            if (i < 0 || i >= shape[d]) throw new IndexOutOfBoundsException("index " + index[d] + " out of range for dimension " + d + " of size " + shape[d]);
            flat = flat * shape[d] + i;
        }
        return flat;
    }

    /** Same values, new shape (shares storage); one dimension may be -1. */
    public Tensor reshape(int... newShape) {
        return new Tensor(data, offset, Shape.infer(size, newShape));
    }

    /** Alias of {@link #reshape}, as in PyTorch. */
    public Tensor view(int... newShape) {
        return reshape(newShape);
    }

    public Tensor flatten() {
        return reshape(size);
    }

    /** Inserts a dimension of size 1 (shares storage). */
    public Tensor unsqueeze(int dim) {
        int d = Shape.axis(dim, shape.length + 1);
        int[] s = new int[shape.length + 1];
        for (int i = 0, j = 0; i < s.length; i++) s[i] = i == d ? 1 : shape[j++];
        return new Tensor(data, offset, s);
    }

    /** PyTorch's {@code broadcast_to}: this tensor itself when the shape already matches, else a copy. */
    public Tensor broadcastTo(int... target) {
        if (Arrays.equals(shape, target)) return this;
        if (!Arrays.equals(Shape.broadcast(shape, target), target)) {
            throw new IllegalArgumentException("cannot broadcast shape " + Shape.str(shape) + " to " + Shape.str(target));
        }
        return Elementwise.binary(zeros(target), this, (a, b) -> b);
    }

    /** Removes a dimension of size 1 (shares storage). */
    public Tensor squeeze(int dim) {
        int d = Shape.axis(dim, shape.length);
        if (shape[d] != 1) throw new IllegalArgumentException("cannot squeeze dimension " + dim + " of size " + shape[d]);
        int[] s = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) if (i != d) s[j++] = shape[i];
        return new Tensor(data, offset, s);
    }

    /** Removes every dimension of size 1 (shares storage). */
    public Tensor squeeze() {
        return new Tensor(data, offset, Arrays.stream(shape).filter(s -> s != 1).toArray());
    }

    public Tensor copy() {
        return new Tensor(toArray(), 0, shape.clone());
    }

    /** Rows [start, start+count) of the first dimension, sharing storage. */
    public Tensor narrowFirst(int start, int count) {
        int inner = shape.length == 0 ? 1 : size / Math.max(1, shape[0]);
        if (start < 0 || count < 0 || start + count > shape[0]) throw new IndexOutOfBoundsException("rows " + start + ".." + (start + count) + " of " + shape[0]);
        int[] s = shape.clone();
        s[0] = count;
        return new Tensor(data, offset + start * inner, s);
    }

    // ---- indexing ------------------------------------------------------------------------------------

    /**
     * A copy of the selected values: {@code t.get("..., -1, :")}, {@code t.get(0, -1)},
     * {@code t.get(":", Index.range(2, 5))}. Integer parts drop their dimension.
     */
    public Tensor get(Object... index) {
        Index.Resolved r = Index.of(index).resolve(shape);
        Tensor out = zeros(r.resultShape());
        int[] sel = r.selectionShape();
        int n = Shape.numel(sel);
        if (n == 0) return out;
        int[] st = Shape.strides(shape);
        // Copy runs along the last dimension when it selects consecutive positions (the common case).
        int last = shape.length - 1;
        int[] lastPos = last < 0 ? new int[] {0} : r.positions()[last];
        int run = consecutive(lastPos) ? lastPos.length : 1;
        int[] outer = sel.clone();
        if (last >= 0 && run > 1) outer[last] = 1;
        int[] ctr = new int[shape.length];
        for (int o = 0; o < n; o += run) {
            int src = offset;
            for (int d = 0; d < shape.length; d++) src += r.positions()[d][ctr[d]] * st[d];
            if (run > 1) System.arraycopy(data, src, out.data, o, run);
            else out.data[o] = data[src];
            increment(ctr, outer);
        }
        return out;
    }

    private static boolean consecutive(int[] positions) {
        for (int i = 1; i < positions.length; i++) if (positions[i] != positions[i - 1] + 1) return false;
        return true;
    }

    /** Writes {@code value} (broadcast to the selection) into the selected positions, in place. */
    public Tensor set(Object index, Tensor value) {
        Index.Resolved r = (index instanceof Object[] parts ? Index.of(parts) : Index.of(index)).resolve(shape);
        int[] sel = r.selectionShape();
        int[] target = r.resultShape();
        int[] vst = Shape.broadcastStrides(value.shape, target);
        if (!Arrays.equals(Shape.broadcast(value.shape, target), target)) {
            throw new IllegalArgumentException("cannot assign shape " + Shape.str(value.shape) + " to a selection of shape " + Shape.str(target));
        }
        int n = Shape.numel(sel);
        int[] st = Shape.strides(shape);
        int[] ctr = new int[shape.length];
        for (int o = 0; o < n; o++) {
            int dst = offset, src = value.offset;
            for (int d = 0, k = 0; d < shape.length; d++) {
                dst += r.positions()[d][ctr[d]] * st[d];
                if (r.kept()[d]) src += ctr[d] * vst[k++];
            }
            data[dst] = value.data[src];
            increment(ctr, sel);
        }
        return this;
    }

    /** Writes one value into every selected position, in place. */
    public Tensor set(Object index, float value) {
        return set(index, scalar(value));
    }

    /** Overwrites all values with {@code other}'s (same number of elements), in place. */
    public Tensor copyFrom(Tensor other) {
        if (other.size != size) throw new IllegalArgumentException("copyFrom: " + Shape.str(other.shape) + " into " + Shape.str(shape));
        System.arraycopy(other.data, other.offset, data, offset, size);
        return this;
    }

    public Tensor fill(float value) {
        Arrays.fill(data, offset, offset + size, value);
        return this;
    }

    static void increment(int[] ctr, int[] shape) {
        for (int d = shape.length - 1; d >= 0; d--) {
            if (++ctr[d] < shape[d]) return;
            ctr[d] = 0;
        }
    }

    /** Elements at integer positions along one dimension (PyTorch's {@code index_select}); keeps the dimension. */
    public Tensor select(int dim, int... positions) {
        Object[] idx = new Object[Shape.axis(dim, shape.length) + 1];
        Arrays.fill(idx, ":");
        idx[idx.length - 1] = positions;
        return get(idx);
    }

    /** PyTorch's {@code gather}: {@code out[..., j] = this[..., index[..., j]]} along {@code dim}. */
    public Tensor gather(int dim, IntTensor index) {
        int d = Shape.axis(dim, shape.length);
        if (index.rank() != shape.length) throw new IllegalArgumentException("gather: index rank " + index.rank() + " differs from tensor rank " + shape.length);
        int[] is = index.shape();
        Tensor out = zeros(is);
        int[] st = Shape.strides(shape);
        int[] ctr = new int[is.length];
        for (int o = 0; o < out.size; o++) {
            int src = offset;
            for (int k = 0; k < is.length; k++) {
                int i = k == d ? index.flat(o) : ctr[k];
                if (k == d && (i < 0 || i >= shape[d])) throw new IndexOutOfBoundsException("gather index " + i + " out of range for size " + shape[d]);
                src += i * st[k];
            }
            out.data[o] = data[src];
            increment(ctr, is);
        }
        return out;
    }

    // ---- elementwise (NumPy broadcasting) --------------------------------------------------------------

    public Tensor add(Tensor o) {
        return Elementwise.binary(this, o, Float::sum);
    }

    public Tensor sub(Tensor o) {
        return Elementwise.binary(this, o, (a, b) -> a - b);
    }

    public Tensor mul(Tensor o) {
        return Elementwise.binary(this, o, (a, b) -> a * b);
    }

    public Tensor div(Tensor o) {
        return Elementwise.binary(this, o, (a, b) -> a / b);
    }

    public Tensor add(float s) {
        return map(a -> a + s);
    }

    public Tensor sub(float s) {
        return map(a -> a - s);
    }

    public Tensor mul(float s) {
        return map(a -> a * s);
    }

    public Tensor div(float s) {
        return map(a -> a / s);
    }

    public Tensor neg() {
        return map(a -> -a);
    }

    public Tensor exp() {
        return map(a -> (float) Math.exp(a));
    }

    public Tensor log() {
        return map(a -> (float) Math.log(a));
    }

    public Tensor sqrt() {
        return map(a -> (float) Math.sqrt(a));
    }

    public Tensor abs() {
        return map(Math::abs);
    }

    public Tensor pow(float p) {
        return map(a -> (float) Math.pow(a, p));
    }

    public Tensor map(FloatUnaryOperator f) {
        float[] out = new float[size];
        for (int i = 0; i < size; i++) out[i] = f.apply(data[offset + i]);
        return new Tensor(out, 0, shape.clone());
    }

    @FunctionalInterface
    public interface FloatUnaryOperator {
        float apply(float x);
    }

    @FunctionalInterface
    public interface FloatBinaryOperator {
        float apply(float a, float b);
    }

    // ---- reductions ----------------------------------------------------------------------------------

    /** Sum of all elements (accumulated in double). */
    public float sum() {
        double s = 0;
        for (int i = 0; i < size; i++) s += data[offset + i];
        return (float) s;
    }

    public float mean() {
        return (float) (sumDouble() / size);
    }

    private double sumDouble() {
        double s = 0;
        for (int i = 0; i < size; i++) s += data[offset + i];
        return s;
    }

    public float max() {
        float m = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < size; i++) m = Math.max(m, data[offset + i]);
        return m;
    }

    public float min() {
        float m = Float.POSITIVE_INFINITY;
        for (int i = 0; i < size; i++) m = Math.min(m, data[offset + i]);
        return m;
    }

    /** Sum over one dimension, which is removed. */
    public Tensor sum(int dim) {
        return Reduce.along(this, dim, false, Reduce.Kind.SUM);
    }

    public Tensor sum(int dim, boolean keepDim) {
        return Reduce.along(this, dim, keepDim, Reduce.Kind.SUM);
    }

    public Tensor mean(int dim) {
        return Reduce.along(this, dim, false, Reduce.Kind.MEAN);
    }

    public Tensor mean(int dim, boolean keepDim) {
        return Reduce.along(this, dim, keepDim, Reduce.Kind.MEAN);
    }

    public Tensor max(int dim) {
        return Reduce.along(this, dim, false, Reduce.Kind.MAX);
    }

    public Tensor min(int dim) {
        return Reduce.along(this, dim, false, Reduce.Kind.MIN);
    }

    /** Position of the maximum along {@code dim} (first one on ties), dimension removed. */
    public IntTensor argmax(int dim) {
        return Reduce.argmax(this, dim);
    }

    /** Flat position of the maximum (first one on ties). */
    public int argmax() {
        int best = 0;
        for (int i = 1; i < size; i++) if (data[offset + i] > data[offset + best]) best = i;
        return best;
    }

    /** Softmax along {@code dim} (float32 result, computed like PyTorch: shift by the max, exp, normalize). */
    public Tensor softmax(int dim) {
        return Reduce.softmax(this, dim, false);
    }

    public Tensor logSoftmax(int dim) {
        return Reduce.softmax(this, dim, true);
    }

    /** Euclidean (Frobenius) norm of all elements. */
    public float norm() {
        double s = 0;
        for (int i = 0; i < size; i++) s += (double) data[offset + i] * data[offset + i];
        return (float) Math.sqrt(s);
    }

    /** The k largest values along the last dimension, largest first (ties: lower index first). */
    public TopK topk(int k) {
        return Sorting.topk(this, k, true);
    }

    /** The k smallest values along the last dimension, smallest first. */
    public TopK bottomk(int k) {
        return Sorting.topk(this, k, false);
    }

    /** Stable sort along the last dimension. */
    public TopK sort(boolean descending) {
        return Sorting.topk(this, shape.length == 0 ? 1 : shape[shape.length - 1], descending);
    }

    /** Values and positions of a top-k or a sort, both of the input's shape with the last dimension k. */
    public record TopK(Tensor values, IntTensor indices) {}

    // ---- products and layout -------------------------------------------------------------------------

    /** PyTorch's {@code matmul}: vectors, matrices and batched matrices with broadcast leading dimensions. */
    public Tensor matmul(Tensor o) {
        return Linalg.matmul(this, o);
    }

    /** Swaps two dimensions (a copy). */
    public Tensor transpose(int a, int b) {
        int[] perm = new int[shape.length];
        for (int i = 0; i < perm.length; i++) perm[i] = i;
        int x = Shape.axis(a, shape.length), y = Shape.axis(b, shape.length);
        perm[x] = y;
        perm[y] = x;
        return permute(perm);
    }

    /** Matrix transpose of the last two dimensions. */
    public Tensor mT() {
        return transpose(-2, -1);
    }

    /** Reorders dimensions (a copy): {@code out.shape[i] = shape[perm[i]]}. */
    public Tensor permute(int... perm) {
        if (perm.length != shape.length) throw new IllegalArgumentException("permute needs " + shape.length + " dimensions");
        int[] st = Shape.strides(shape);
        int[] os = new int[perm.length], pst = new int[perm.length];
        boolean[] seen = new boolean[perm.length];
        for (int i = 0; i < perm.length; i++) {
            int p = Shape.axis(perm[i], shape.length);
            if (seen[p]) throw new IllegalArgumentException("permute: dimension " + p + " repeated");
            seen[p] = true;
            os[i] = shape[p];
            pst[i] = st[p];
        }
        Tensor out = zeros(os);
        int[] ctr = new int[os.length];
        for (int o = 0; o < size; o++) {
            int src = offset;
            for (int d = 0; d < os.length; d++) src += ctr[d] * pst[d];
            out.data[o] = data[src];
            increment(ctr, os);
        }
        return out;
    }

    /**
     * einops' rearrange: {@code per_head.rearrange("(layer head) -> layer head", Map.of("layer", 12))}.
     * Sizes of split axes not given are inferred (one per group).
     */
    public Tensor rearrange(String pattern, java.util.Map<String, Integer> sizes) {
        return Rearrange.apply(this, pattern, sizes);
    }

    public Tensor rearrange(String pattern) {
        return Rearrange.apply(this, pattern, java.util.Map.of());
    }

    /** einsum with single-letter or space-separated named axes: {@code "b p d, d v -> b p v"}. */
    public static Tensor einsum(String spec, Tensor... operands) {
        return Einsum.apply(spec, operands);
    }

    // ---- comparison and display -----------------------------------------------------------------------

    /** |a - b| <= atol + rtol * |b| everywhere, with equal shapes (NaN never close). */
    public boolean allClose(Tensor other, double atol, double rtol) {
        if (!Arrays.equals(shape, other.shape)) return false;
        for (int i = 0; i < size; i++) {
            float a = data[offset + i], b = other.data[other.offset + i];
            if (a == b) continue;
            if (!(Math.abs(a - b) <= atol + rtol * Math.abs(b))) return false;
        }
        return true;
    }

    @Override
    public String toString() {
        return "tensor(" + TensorFormat.values(this) + (shape.length > 1 || size > 6 ? ", shape=" + Shape.str(shape) : "") + ")";
    }
}
