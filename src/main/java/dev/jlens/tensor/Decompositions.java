package dev.jlens.tensor;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * The dense decompositions the analysis code needs (TransformerLens' {@code FactoredMatrix} uses PyTorch's
 * LAPACK calls): reduced SVD and eigenvalues of real matrices, batched over leading dimensions. Computed in
 * double precision, returned as float32. Meant for head-sized matrices (64 x 64, d_model x d_head), fine up
 * to d_model x d_model; batch elements run in parallel.
 */
public final class Decompositions {
    private Decompositions() {}

    /**
     * {@code M = U diag(S) Vᵀ}: U [..., m, k] and V [..., n, k] with orthonormal columns, S [..., k]
     * descending, k = min(m, n). Note V, not Vh (as TransformerLens' {@code FactoredMatrix.svd} returns).
     */
    public record Svd(Tensor U, Tensor S, Tensor V) {}

    /**
     * Reduced SVD of each matrix in {@code [..., m, n]} ({@code torch.linalg.svd(full_matrices=False)}, V
     * transposed). Singular vectors are unique only up to sign (and rotation within repeated singular
     * values), so they can differ from LAPACK's by such a choice; the product and S agree.
     */
    public static Svd svd(Tensor matrices) {
        if (matrices.rank() < 2) throw new IllegalArgumentException("svd needs a matrix, got shape " + Shape.str(matrices.shape()));
        checkFinite("svd", matrices);
        int m = matrices.shape(-2), n = matrices.shape(-1), k = Math.min(m, n);
        int[] lead = Arrays.copyOf(matrices.shape(), matrices.rank() - 2);
        int batch = Shape.numel(lead);
        float[] u = new float[batch * m * k], s = new float[batch * k], v = new float[batch * n * k];
        float[] in = matrices.data();
        Parallel.forEach(batch, b -> {
            int base = matrices.offset() + b * m * n;
            double[][] cols = new double[n][m];
            for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) cols[j][i] = in[base + i * n + j];
            JacobiSvd.Result r = JacobiSvd.decompose(cols, m);
            for (int c = 0; c < k; c++) {
                s[b * k + c] = (float) r.s()[c];
                for (int i = 0; i < m; i++) u[(b * m + i) * k + c] = (float) r.u()[c][i];
                for (int j = 0; j < n; j++) v[(b * n + j) * k + c] = (float) r.v()[c][j];
            }
        });
        return new Svd(Tensor.of(u, with(lead, m, k)), Tensor.of(s, with(lead, k)), Tensor.of(v, with(lead, n, k)));
    }

    /**
     * Eigenvalues of each square matrix in {@code [..., n, n]} ({@code torch.linalg.eig(M).eigenvalues}),
     * sorted by descending real part, then descending imaginary part (so a conjugate pair comes + first).
     * LAPACK returns them in the order its QR iteration deflates them, which no other implementation
     * reproduces; compare eigenvalues from TransformerLens after sorting them the same way.
     */
    public static ComplexTensor eigenvalues(Tensor matrices) {
        if (matrices.rank() < 2 || matrices.shape(-1) != matrices.shape(-2)) {
            throw new IllegalArgumentException("eigenvalues need square matrices, got shape " + Shape.str(matrices.shape()));
        }
        checkFinite("eigenvalues", matrices);
        int n = matrices.shape(-1);
        int[] lead = Arrays.copyOf(matrices.shape(), matrices.rank() - 2);
        int batch = Shape.numel(lead);
        float[] re = new float[batch * n], im = new float[batch * n];
        float[] in = matrices.data();
        Parallel.forEach(batch, b -> {
            int base = matrices.offset() + b * n * n;
            double[][] h = new double[n][n];
            for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) h[i][j] = in[base + i * n + j];
            FrancisEigen.Result r = FrancisEigen.eigenvalues(h);
            Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
            Arrays.sort(order, Comparator.comparingDouble((Integer i) -> r.re()[i]).thenComparingDouble(i -> r.im()[i]).reversed());
            for (int i = 0; i < n; i++) {
                re[b * n + i] = (float) r.re()[order[i]];
                im[b * n + i] = (float) r.im()[order[i]];
            }
        });
        int[] shape = with(lead, n);
        return new ComplexTensor(Tensor.of(re, shape), Tensor.of(im, shape));
    }

    /** As LAPACK-backed PyTorch does: the iterations cannot converge on NaN or infinity. */
    private static void checkFinite(String what, Tensor t) {
        float[] d = t.data();
        for (int i = t.offset(); i < t.offset() + t.size(); i++) {
            if (!Float.isFinite(d[i])) throw new IllegalArgumentException(what + ": the input contains infs or NaNs");
        }
    }

    private static int[] with(int[] lead, int... tail) {
        int[] out = Arrays.copyOf(lead, lead.length + tail.length);
        System.arraycopy(tail, 0, out, lead.length, tail.length);
        return out;
    }
}
