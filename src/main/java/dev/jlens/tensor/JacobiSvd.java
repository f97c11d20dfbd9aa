package dev.jlens.tensor;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Reduced SVD of one real matrix in double precision. A tall matrix is first reduced to a square triangle by
 * Householder QR (so the rotations work on vectors of length n, not m), then one-sided Jacobi rotates
 * pairs of columns of R until all are orthogonal: R V = W with orthogonal columns, S = their norms,
 * U = Q W / S. Accurate to a few ulps relative to the largest singular value; simple rather than fast.
 */
final class JacobiSvd {
    private static final double EPS = Math.ulp(1.0);
    private static final int MAX_SWEEPS = 100;

    /** Columns of U (k of length m), S (k, descending), columns of V (k of length n), k = min(m, n). */
    record Result(double[][] u, double[] s, double[][] v) {}

    private JacobiSvd() {}

    /** {@code cols[j][i]} is entry (i, j) of an m x n matrix. */
    static Result decompose(double[][] cols, int m) {
        int n = cols.length;
        if (m < n) {
            Result t = decompose(transpose(cols, m), n);  // Aᵀ = U S Vᵀ  =>  A = V S Uᵀ
            return new Result(t.v, t.s, t.u);
        }
        double[][] a = new double[n][];
        for (int j = 0; j < n; j++) a[j] = cols[j].clone();
        Householder[] q = triangularize(a, m);
        double[][] w = new double[n][n];
        for (int j = 0; j < n; j++) System.arraycopy(a[j], 0, w[j], 0, j + 1);
        double[][] v = new double[n][n];
        for (int j = 0; j < n; j++) v[j][j] = 1;
        rotateUntilOrthogonal(w, v);

        double[] norms = new double[n];
        for (int j = 0; j < n; j++) norms[j] = Math.sqrt(dot(w[j], w[j]));
        int[] order = IntStream.range(0, n).boxed()
                .sorted(Comparator.comparingDouble((Integer j) -> norms[j]).reversed())
                .mapToInt(Integer::intValue).toArray();
        double[] s = new double[n];
        double[][] unitW = new double[n][], vs = new double[n][];
        for (int k = 0; k < n; k++) {
            int j = order[k];
            s[k] = norms[j];
            vs[k] = v[j];
            if (norms[j] > 0) {
                unitW[k] = w[j].clone();
                for (int i = 0; i < n; i++) unitW[k][i] /= norms[j];
            }
        }
        completeBasis(unitW);
        double[][] u = new double[n][];
        for (int k = 0; k < n; k++) {
            u[k] = Arrays.copyOf(unitW[k], m);
            for (int r = n - 1; r >= 0; r--) q[r].apply(u[k], r);  // U = H0 H1 ... [W/S; 0]
        }
        return new Result(u, s, vs);
    }

    /** Householder QR in place: afterwards the top triangle of the columns is R; returns the reflectors. */
    private static Householder[] triangularize(double[][] a, int m) {
        int n = a.length;
        Householder[] q = new Householder[n];
        for (int k = 0; k < n; k++) {
            q[k] = Householder.of(a[k], k, m);
            for (int j = k + 1; j < n; j++) q[k].apply(a[j], k);
            a[k][k] = q[k].alpha();
            Arrays.fill(a[k], k + 1, m, 0);
        }
        return q;
    }

    /** Hestenes' sweeps: rotate column pairs of w (and v alongside) until every pair is orthogonal. */
    private static void rotateUntilOrthogonal(double[][] w, double[][] v) {
        int n = w.length;
        double tol = EPS * Math.max(1, n);  // a dot product of length n is only that accurate
        boolean rotated = true;
        for (int sweep = 0; rotated && sweep < MAX_SWEEPS; sweep++) {
            rotated = false;
            for (int p = 0; p < n - 1; p++) {
                for (int q = p + 1; q < n; q++) {
                    double alpha = dot(w[p], w[p]), beta = dot(w[q], w[q]), gamma = dot(w[p], w[q]);
                    if (Math.abs(gamma) <= tol * Math.sqrt(alpha * beta)) continue;
                    rotated = true;
                    // the rotation that diagonalises the 2x2 Gram matrix [[alpha, gamma], [gamma, beta]]
                    double zeta = (beta - alpha) / (2 * gamma);
                    double t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
                    double c = 1 / Math.sqrt(1 + t * t), s = c * t;
                    rotate(w[p], w[q], c, s);
                    rotate(v[p], v[q], c, s);
                }
            }
        }
    }

    private static void rotate(double[] x, double[] y, double c, double s) {
        for (int i = 0; i < x.length; i++) {
            double a = x[i], b = y[i];
            x[i] = c * a - s * b;
            y[i] = s * a + c * b;
        }
    }

    /**
     * Fills the null slots (columns of exactly zero singular values) with unit vectors orthogonal to all
     * others, so U keeps orthonormal columns as LAPACK's does: the standard basis vector that keeps most
     * of its length after Gram-Schmidt.
     */
    private static void completeBasis(double[][] cols) {
        int n = cols.length;
        for (int k = 0; k < n; k++) {
            if (cols[k] != null) continue;
            double[] best = null;
            double bestNorm = -1;
            for (int e = 0; e < n && bestNorm < 0.5; e++) {
                double[] c = new double[n];
                c[e] = 1;
                for (int pass = 0; pass < 2; pass++) {  // twice: one pass loses orthogonality in rounding
                    for (double[] o : cols) {
                        if (o == null) continue;
                        double d = dot(o, c);
                        for (int i = 0; i < n; i++) c[i] -= d * o[i];
                    }
                }
                double norm = Math.sqrt(dot(c, c));
                if (norm > bestNorm) {
                    best = c;
                    bestNorm = norm;
                }
            }
            for (int i = 0; i < n; i++) best[i] /= bestNorm;
            cols[k] = best;
        }
    }

    private static double[][] transpose(double[][] cols, int m) {
        double[][] t = new double[m][cols.length];
        for (int j = 0; j < cols.length; j++) for (int i = 0; i < m; i++) t[i][j] = cols[j][i];
        return t;
    }

    static double dot(double[] x, double[] y) {
        double s = 0;
        for (int i = 0; i < x.length; i++) s += x[i] * y[i];
        return s;
    }
}
