package dev.jlens.tensor;

/** Reductions along one dimension, seen as [outer, n, inner]. */
final class Reduce {
    enum Kind { SUM, MEAN, MAX, MIN }

    private Reduce() {}

    private record Split(int outer, int n, int inner, int[] keptShape, int[] droppedShape) {
        static Split of(int[] shape, int dim) {
            int d = Shape.axis(dim, shape.length);
            int outer = 1, inner = 1;
            for (int i = 0; i < d; i++) outer *= shape[i];
            for (int i = d + 1; i < shape.length; i++) inner *= shape[i];
            int[] kept = shape.clone();
            kept[d] = 1;
            int[] dropped = new int[shape.length - 1];
            for (int i = 0, j = 0; i < shape.length; i++) if (i != d) dropped[j++] = shape[i];
            return new Split(outer, shape[d], inner, kept, dropped);
        }
    }

    static Tensor along(Tensor t, int dim, boolean keepDim, Kind kind) {
        Split s = Split.of(t.shape(), dim);
        float[] d = t.data();
        int base = t.offset();
        float[] out = new float[s.outer * s.inner];
        for (int o = 0; o < s.outer; o++) {
            for (int i = 0; i < s.inner; i++) {
                int at = base + o * s.n * s.inner + i;
                double acc = kind == Kind.MAX ? Double.NEGATIVE_INFINITY : kind == Kind.MIN ? Double.POSITIVE_INFINITY : 0;
                for (int k = 0; k < s.n; k++) {
                    float v = d[at + k * s.inner];
                    acc = switch (kind) {
                        case SUM, MEAN -> acc + v;
                        case MAX -> Math.max(acc, v);
                        case MIN -> Math.min(acc, v);
                    };
                }
                out[o * s.inner + i] = (float) (kind == Kind.MEAN ? acc / s.n : acc);
            }
        }
        return Tensor.of(out, keepDim ? s.keptShape : s.droppedShape);
    }

    static IntTensor argmax(Tensor t, int dim) {
        Split s = Split.of(t.shape(), dim);
        float[] d = t.data();
        int[] out = new int[s.outer * s.inner];
        for (int o = 0; o < s.outer; o++) {
            for (int i = 0; i < s.inner; i++) {
                int at = t.offset() + o * s.n * s.inner + i, best = 0;
                for (int k = 1; k < s.n; k++) if (d[at + k * s.inner] > d[at + best * s.inner]) best = k;
                out[o * s.inner + i] = best;
            }
        }
        return IntTensor.of(out, s.droppedShape);
    }

    /** Softmax or log-softmax along dim, in float32 after subtracting the max (as PyTorch does). */
    static Tensor softmax(Tensor t, int dim, boolean log) {
        Split s = Split.of(t.shape(), dim);
        float[] d = t.data();
        float[] out = new float[t.size()];
        float[] row = new float[s.n];
        for (int o = 0; o < s.outer; o++) {
            for (int i = 0; i < s.inner; i++) {
                int src = t.offset() + o * s.n * s.inner + i, dst = o * s.n * s.inner + i;
                for (int k = 0; k < s.n; k++) row[k] = d[src + k * s.inner];
                if (log) logSoftmaxRow(row);
                else Kernels.softmax(row, 0, s.n);
                for (int k = 0; k < s.n; k++) out[dst + k * s.inner] = row[k];
            }
        }
        return Tensor.of(out, t.shape());
    }

    private static void logSoftmaxRow(float[] row) {
        float max = Float.NEGATIVE_INFINITY;
        for (float v : row) max = Math.max(max, v);
        double sum = 0;
        for (float v : row) sum += Math.exp(v - max);
        float lse = (float) Math.log(sum);
        for (int k = 0; k < row.length; k++) row[k] = (row[k] - max) - lse;
    }
}
