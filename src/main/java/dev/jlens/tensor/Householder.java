package dev.jlens.tensor;

/**
 * A Householder reflector {@code P = I - beta v vᵀ} that maps a vector x to {@code (alpha, 0, ..., 0)}.
 * The decomposition kernels build them from a few entries and apply them to rows or columns themselves.
 */
record Householder(double[] v, double beta, double alpha) {
    /** The reflector for {@code x[from .. to)}; the identity (beta 0) when that part is zero. */
    static Householder of(double[] x, int from, int to) {
        double scale = 0;
        for (int i = from; i < to; i++) scale = Math.max(scale, Math.abs(x[i]));
        double[] v = new double[to - from];
        if (scale == 0) return new Householder(v, 0, 0);
        // Scaling first keeps the squares away from overflow and underflow; P does not change.
        double sq = 0;
        for (int i = 0; i < v.length; i++) {
            v[i] = x[from + i] / scale;
            sq += v[i] * v[i];
        }
        double alpha = -Math.copySign(Math.sqrt(sq), v[0]);
        double beta = 1 / (alpha * (alpha - v[0]));
        v[0] -= alpha;
        return new Householder(v, beta, alpha * scale);
    }

    static Householder of(double... x) {
        return of(x, 0, x.length);
    }

    /** {@code y[from ..] = P y[from ..]} for a vector stored contiguously. */
    void apply(double[] y, int from) {
        double d = 0;
        for (int i = 0; i < v.length; i++) d += v[i] * y[from + i];
        d *= beta;
        for (int i = 0; i < v.length; i++) y[from + i] -= d * v[i];
    }

    /** Rows {@code r0 ..} of columns {@code c0 .. c1} of a row-major matrix: {@code H = P H}. */
    void applyLeft(double[][] h, int r0, int c0, int c1) {
        for (int j = c0; j <= c1; j++) {
            double d = 0;
            for (int i = 0; i < v.length; i++) d += v[i] * h[r0 + i][j];
            d *= beta;
            for (int i = 0; i < v.length; i++) h[r0 + i][j] -= d * v[i];
        }
    }

    /** Columns {@code c0 ..} of rows {@code r0 .. r1} of a row-major matrix: {@code H = H P}. */
    void applyRight(double[][] h, int c0, int r0, int r1) {
        for (int i = r0; i <= r1; i++) apply(h[i], c0);
    }
}
