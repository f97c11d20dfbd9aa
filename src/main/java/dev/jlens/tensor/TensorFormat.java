package dev.jlens.tensor;

/** PyTorch-like printing of values, abbreviated for large tensors. */
final class TensorFormat {
    private static final int EDGE = 3, SUMMARY_THRESHOLD = 1000, LINE_WIDTH = 80;

    private TensorFormat() {}

    static String values(Tensor t) {
        StringBuilder sb = new StringBuilder();
        int[] shape = t.shape();
        if (shape.length == 0) return format(t.item());
        append(sb, t.data(), t.offset(), shape, 0, t.size() > SUMMARY_THRESHOLD);
        return sb.toString();
    }

    /**
     * PyTorch's printing of an integer tensor: every value right-aligned to the widest one shown, vectors wrapped
     * at 80 columns, edges only above 1000 values. {@code indent} is the width of what precedes the opening bracket.
     */
    static String ints(IntTensor t, int indent) {
        int[] shape = t.shape();
        if (shape.length == 0) return Integer.toString(t.flat(0));
        boolean summarize = t.size() > SUMMARY_THRESHOLD;
        int width = widestShown(t, shape, 0, 0, summarize);
        StringBuilder sb = new StringBuilder();
        appendInts(sb, t, 0, shape, 0, indent, width, summarize);
        return sb.toString();
    }

    /** The widest value among those printed, as PyTorch measures it on the summarized data. */
    private static int widestShown(IntTensor t, int[] shape, int off, int dim, boolean summarize) {
        int n = shape[dim], inner = 1, widest = 1;
        for (int i = dim + 1; i < shape.length; i++) inner *= shape[i];
        for (int i = 0; i < n; i++) {
            if (summarize && n > 2 * EDGE && i == EDGE) i = n - EDGE;
            widest = Math.max(widest, dim == shape.length - 1
                    ? Integer.toString(t.flat(off + i)).length()
                    : widestShown(t, shape, off + i * inner, dim + 1, summarize));
        }
        return widest;
    }

    private static void appendInts(StringBuilder sb, IntTensor t, int off, int[] shape, int dim, int indent, int width, boolean summarize) {
        int n = shape[dim];
        boolean elided = summarize && n > 2 * EDGE;
        sb.append('[');
        if (dim == shape.length - 1) {
            int perLine = Math.max(1, (LINE_WIDTH - indent) / (width + 2));
            int k = 0;
            for (int i = 0; i < n; i++, k++) {
                if (k > 0) sb.append(k % perLine == 0 ? ",\n" + " ".repeat(indent + 1) : ", ");
                if (elided && i == EDGE) {
                    sb.append(" ...");
                    i = n - EDGE - 1;
                    continue;
                }
                String v = Integer.toString(t.flat(off + i));
                sb.append(" ".repeat(width - v.length())).append(v);
            }
        } else {
            int inner = 1;
            for (int i = dim + 1; i < shape.length; i++) inner *= shape[i];
            String separator = "," + "\n".repeat(shape.length - dim - 1) + " ".repeat(indent + 1);
            for (int i = 0; i < n; i++) {
                if (i > 0) sb.append(separator);
                if (elided && i == EDGE) {
                    sb.append("...").append(separator);
                    i = n - EDGE;
                }
                appendInts(sb, t, off + i * inner, shape, dim + 1, indent + 1, width, summarize);
            }
        }
        sb.append(']');
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
