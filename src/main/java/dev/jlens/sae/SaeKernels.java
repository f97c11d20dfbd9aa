package dev.jlens.sae;

import dev.jlens.tensor.Kernels;
import dev.jlens.tensor.PackedMatrix;
import dev.jlens.tensor.Parallel;
import dev.jlens.tensor.Tensor;

import java.util.Arrays;

/**
 * The SAE's inner loops. Encoding is a dense product (every feature's pre-activation decides whether it fires), run by
 * the packed matrix kernel the model's own layers use; decoding reads only the features that fire, a few dozen of
 * tens of thousands, so it costs O(active features x d_in) per position instead of O(d_sae x d_in).
 */
final class SaeKernels {
    private SaeKernels() {
    }

    /** {@code x @ W + bias} for rows [..., k] and a packed W [k, n]: a fresh tensor [..., n]. */
    static Tensor affine(PackedMatrix w, Tensor x, int n, Tensor bias) {
        int k = w.rows(), rows = x.size() / k;
        float[] out = new float[rows * n];
        w.multiply(x.data(), x.offset(), rows, bias.toArray(), out, 0);
        int[] shape = x.shape().clone();
        shape[shape.length - 1] = n;
        return Tensor.of(out, shape);
    }

    static void relu(float[] a) {
        for (int i = 0; i < a.length; i++) if (!(a[i] > 0f)) a[i] = 0f;
    }

    /**
     * Per row of {@code width} values: the {@code k} largest (torch.topk) kept and ReLU'd, every other value 0. A
     * min-heap of the k best indices, so a row costs O(width log k).
     */
    static void keepTopK(float[] a, int width, int k) {
        int rows = a.length / width;
        int kk = Math.min(k, width);
        int[] heap = new int[kk];
        boolean[] keep = new boolean[width];
        for (int r = 0; r < rows; r++) {
            int base = r * width, size = 0;
            for (int j = 0; j < width; j++) {
                float v = a[base + j];
                if (size < kk) {
                    heap[size++] = j;
                    siftUp(a, base, heap, size - 1);
                } else if (v > a[base + heap[0]]) {
                    heap[0] = j;
                    siftDown(a, base, heap, size);
                }
            }
            Arrays.fill(keep, false);
            for (int h = 0; h < size; h++) keep[heap[h]] = true;
            for (int j = 0; j < width; j++) {
                float v = a[base + j];
                a[base + j] = keep[j] && v > 0f ? v : 0f;
            }
        }
    }

    private static void siftUp(float[] a, int base, int[] heap, int i) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (a[base + heap[i]] >= a[base + heap[parent]]) return;
            swap(heap, i, parent);
            i = parent;
        }
    }

    private static void siftDown(float[] a, int base, int[] heap, int size) {
        int i = 0;
        while (true) {
            int l = 2 * i + 1, r = l + 1, min = i;
            if (l < size && a[base + heap[l]] < a[base + heap[min]]) min = l;
            if (r < size && a[base + heap[r]] < a[base + heap[min]]) min = r;
            if (min == i) return;
            swap(heap, i, min);
            i = min;
        }
    }

    private static void swap(int[] h, int i, int j) {
        int t = h[i];
        h[i] = h[j];
        h[j] = t;
    }

    /** {@code acts @ W_dec + b_dec} for acts [..., d_sae], W_dec [d_sae, d_in], adding only the rows of active features. */
    static Tensor sparseDecode(Tensor acts, Tensor wDec, Tensor bDec) {
        int m = wDec.shape(0), d = wDec.shape(1), rows = acts.size() / m;
        float[] a = acts.data(), w = wDec.data(), b = bDec.data(), out = new float[rows * d];
        int aOff = acts.offset(), wOff = wDec.offset(), bOff = bDec.offset();
        // positions are independent: split them over the model's workers, each adding its active rows with the
        // vectorized axpy (a few dozen rows of d_in per position, so a chunk of positions is the unit of work)
        Parallel.forRows(rows, 4, (from, to) -> {
            for (int r = from; r < to; r++) {
                int o = r * d;
                System.arraycopy(b, bOff, out, o, d);
                for (int j = 0; j < m; j++) {
                    float v = a[aOff + r * m + j];
                    if (v != 0f) Kernels.axpy(v, w, wOff + j * d, out, o, d);
                }
            }
        });
        int[] shape = acts.shape().clone();
        shape[shape.length - 1] = d;
        return Tensor.of(out, shape);
    }

    /** The gradient of {@link #affine}'s input from that of its output: {@code g @ W.T}, a fresh tensor [..., k]. */
    static Tensor affineBackward(PackedMatrix w, Tensor g) {
        int n = w.cols(), rows = g.size() / n;
        float[] out = new float[rows * w.rows()];
        float[] gv = g.offset() == 0 ? g.data() : g.toArray();
        w.transposed().multiply(gv, 0, rows, null, out, 0);
        int[] shape = g.shape().clone();
        shape[shape.length - 1] = w.rows();
        return Tensor.of(out, shape);
    }

    /**
     * The gradient of the decoded rows' activations from that of the decoded rows: {@code g @ W_dec.T} for g [..., d_in],
     * one dot product with each decoder row (all features: a feature that did not fire has a gradient too).
     */
    static Tensor decodeBackward(Tensor g, Tensor wDec) {
        int m = wDec.shape(0), d = wDec.shape(1), rows = g.size() / d;
        float[] gv = g.toArray(), w = wDec.data(), out = new float[rows * m];
        int wOff = wDec.offset();
        Parallel.forRows(m, 256, (from, to) -> {
            for (int r = 0; r < rows; r++) {
                for (int j = from; j < to; j++) out[r * m + j] = Kernels.dot(gv, r * d, w, wOff + j * d, d);
            }
        });
        int[] shape = g.shape().clone();
        shape[shape.length - 1] = m;
        return Tensor.of(out, shape);
    }

    /** The L2 norm of each row of a matrix. */
    static float[] rowNorms(Tensor m) {
        int rows = m.shape(0), cols = m.shape(1);
        float[] out = new float[rows], v = m.data();
        for (int r = 0; r < rows; r++) {
            double sq = 0;
            for (int c = 0; c < cols; c++) sq += (double) v[m.offset() + r * cols + c] * v[m.offset() + r * cols + c];
            out[r] = (float) Math.sqrt(sq);
        }
        return out;
    }
}
