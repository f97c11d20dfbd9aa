package dev.jlens.tensor;

/**
 * Eigenvalues of one real square matrix in double precision: Householder reduction to upper Hessenberg
 * form, then Francis double-shift QR steps (Golub and Van Loan, algorithm 7.5.1) on the unreduced window
 * until it splits into 1x1 and 2x2 blocks. Only eigenvalues are wanted, so each step updates the active
 * window only. No balancing (LAPACK's geev balances; for well-scaled matrices it changes nothing).
 */
final class FrancisEigen {
    private static final double EPS = Math.ulp(1.0);

    /** Real and imaginary parts, in the order the diagonal blocks deflate (a conjugate pair: + first). */
    record Result(double[] re, double[] im) {}

    private FrancisEigen() {}

    /** Overwrites {@code h} (n x n, row-major rows). */
    static Result eigenvalues(double[][] h) {
        int n = h.length;
        toHessenberg(h);
        double norm = 0;
        for (double[] row : h) for (double x : row) norm += Math.abs(x);
        double[] re = new double[n], im = new double[n];
        int hi = n - 1, iterations = 0;
        while (hi >= 0) {
            int lo = splitPoint(h, hi, norm);
            if (lo == hi) {
                re[hi] = h[hi][hi];
                hi -= 1;
                iterations = 0;
            } else if (lo == hi - 1) {
                twoByTwo(h, hi, re, im);
                hi -= 2;
                iterations = 0;
            } else {
                iterations++;
                if (iterations > 30 * n) throw new ArithmeticException("eigenvalues: QR iteration did not converge");
                francisStep(h, lo, hi, iterations % 10 == 0);
            }
        }
        return new Result(re, im);
    }

    /** Zeros below the first subdiagonal by similarity transforms H = P A P. */
    private static void toHessenberg(double[][] a) {
        int n = a.length;
        double[] col = new double[n];
        for (int k = 0; k < n - 2; k++) {
            for (int i = k + 1; i < n; i++) col[i] = a[i][k];
            Householder p = Householder.of(col, k + 1, n);
            if (p.beta() == 0) continue;
            p.applyLeft(a, k + 1, k, n - 1);
            p.applyRight(a, k + 1, 0, n - 1);
            a[k + 1][k] = p.alpha();
            for (int i = k + 2; i < n; i++) a[i][k] = 0;
        }
    }

    /** The lowest row of the unreduced block ending at {@code hi}; a negligible subdiagonal entry is zeroed. */
    private static int splitPoint(double[][] h, int hi, double norm) {
        for (int lo = hi; lo > 0; lo--) {
            double scale = Math.abs(h[lo - 1][lo - 1]) + Math.abs(h[lo][lo]);
            if (scale == 0) scale = norm;
            if (Math.abs(h[lo][lo - 1]) <= EPS * scale) {
                h[lo][lo - 1] = 0;
                return lo;
            }
        }
        return 0;
    }

    /** The eigenvalues of the trailing 2x2 block at rows hi-1, hi, without cancellation. */
    private static void twoByTwo(double[][] h, int hi, double[] re, double[] im) {
        double a = h[hi - 1][hi - 1], b = h[hi - 1][hi], c = h[hi][hi - 1], d = h[hi][hi];
        double p = (a - d) / 2, bc = b * c, q = p * p + bc;
        if (q >= 0) {
            double z = p + Math.copySign(Math.sqrt(q), p);  // d + z and d - bc/z: both roots, no cancellation
            re[hi - 1] = d + z;
            re[hi] = z == 0 ? d : d - bc / z;
        } else {
            re[hi - 1] = re[hi] = d + p;
            im[hi - 1] = Math.sqrt(-q);
            im[hi] = -im[hi - 1];
        }
    }

    /**
     * One implicit double-shift step on rows/columns lo..hi: the shifts are the eigenvalues of the trailing
     * 2x2 block (or, every tenth step, an ad hoc pair that breaks cycles such as permutation matrices);
     * a 3-row bulge is created at the top and chased off the bottom.
     */
    private static void francisStep(double[][] h, int lo, int hi, boolean exceptional) {
        double s = h[hi - 1][hi - 1] + h[hi][hi];
        double t = h[hi - 1][hi - 1] * h[hi][hi] - h[hi - 1][hi] * h[hi][hi - 1];
        if (exceptional) {
            double e = Math.abs(h[hi][hi - 1]) + Math.abs(h[hi - 1][hi - 2]);
            s = 1.5 * e;
            t = e * e;
        }
        // first column of (H - s1 I)(H - s2 I) = H^2 - sH + tI
        double x = h[lo][lo] * h[lo][lo] + h[lo][lo + 1] * h[lo + 1][lo] - s * h[lo][lo] + t;
        double y = h[lo + 1][lo] * (h[lo][lo] + h[lo + 1][lo + 1] - s);
        double z = h[lo + 1][lo] * h[lo + 2][lo + 1];
        for (int k = lo; k <= hi - 2; k++) {
            Householder p = Householder.of(x, y, z);
            p.applyLeft(h, k, Math.max(lo, k - 1), hi);
            p.applyRight(h, k, lo, Math.min(k + 3, hi));
            if (k > lo) {
                h[k + 1][k - 1] = 0;
                h[k + 2][k - 1] = 0;
            }
            x = h[k + 1][k];
            y = h[k + 2][k];
            if (k < hi - 2) z = h[k + 3][k];
        }
        Householder p = Householder.of(x, y);
        p.applyLeft(h, hi - 1, hi - 2, hi);
        p.applyRight(h, hi - 1, lo, hi);
        h[hi][hi - 2] = 0;
    }
}
