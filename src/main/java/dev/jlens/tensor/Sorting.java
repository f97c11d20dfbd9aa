package dev.jlens.tensor;

import java.util.Arrays;

/** Top-k and stable sorting along the last dimension. */
final class Sorting {
    private Sorting() {}

    static Tensor.TopK topk(Tensor t, int k, boolean largest) {
        int[] shape = t.shape();
        int n = shape.length == 0 ? 1 : shape[shape.length - 1];
        if (k < 0 || k > n) throw new IllegalArgumentException("k=" + k + " out of range for a dimension of size " + n);
        int rows = n == 0 ? 0 : t.size() / n;
        int[] outShape = shape.length == 0 ? new int[] {k} : shape.clone();
        outShape[outShape.length - 1] = k;
        float[] vals = new float[rows * k];
        int[] idx = new int[rows * k];
        float[] d = t.data();
        Integer[] order = new Integer[n];
        for (int r = 0; r < rows; r++) {
            int base = t.offset() + r * n;
            for (int i = 0; i < n; i++) order[i] = i;
            // Arrays.sort on objects is stable (merge sort): ties keep their index order.
            Arrays.sort(order, largest
                    ? (x, y) -> Float.compare(d[base + y], d[base + x])
                    : (x, y) -> Float.compare(d[base + x], d[base + y]));
            for (int j = 0; j < k; j++) {
                idx[r * k + j] = order[j];
                vals[r * k + j] = d[base + order[j]];
            }
        }
        return new Tensor.TopK(Tensor.of(vals, outShape), IntTensor.of(idx, outShape));
    }
}
