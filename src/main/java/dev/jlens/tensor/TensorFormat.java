package dev.jlens.tensor;

/** PyTorch-like printing of values, abbreviated for large tensors. */
final class TensorFormat {
    private static final int EDGE = 3;

    private TensorFormat() {}

    static String values(Tensor t) {
        StringBuilder sb = new StringBuilder();
        int[] shape = t.shape();
        if (shape.length == 0) return format(t.item());
        append(sb, t.data(), t.offset(), shape, 0, t.size() > 1000);
        return sb.toString();
    }

    static String ints(IntTensor t) {
        StringBuilder sb = new StringBuilder();
        int[] shape = t.shape();
        if (shape.length == 0) return Integer.toString(t.flat(0));
        float[] asFloats = new float[t.size()];
        for (int i = 0; i < asFloats.length; i++) asFloats[i] = t.flat(i);
        append(sb, asFloats, 0, shape, 0, t.size() > 1000);
        return sb.toString().replace(".0", "");
    }

    private static void append(StringBuilder sb, float[] d, int off, int[] shape, int dim, boolean abbreviate) {
        int n = shape[dim];
        int inner = 1;
        for (int i = dim + 1; i < shape.length; i++) inner *= shape[i];
        sb.append('[');
        for (int i = 0; i < n; i++) {
            if (abbreviate && n > 2 * EDGE && i == EDGE) {
                sb.append("..., ");
                i = n - EDGE;
            }
            if (dim == shape.length - 1) sb.append(format(d[off + i]));
            else append(sb, d, off + i * inner, shape, dim + 1, abbreviate);
            if (i < n - 1) sb.append(dim == shape.length - 1 ? ", " : ",\n" + " ".repeat(dim + 8));
        }
        sb.append(']');
    }

    private static String format(float v) {
        return String.format(java.util.Locale.ROOT, "%.4f", v);
    }
}
