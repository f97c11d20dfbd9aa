package dev.jlens.viz;

/** Pearson's correlation coefficient of two series, as {@code numpy.corrcoef(x, y)[0, 1]} gives it. */
final class Correlation {
    private Correlation() {}

    /**
     * r of the pairs where both values are finite (a patching result may hold NaN); NaN when fewer than two such pairs
     * or when either series is constant over them (r is undefined then).
     */
    static double pearson(double[] x, double[] y) {
        if (x.length != y.length) throw new IllegalArgumentException(x.length + " x values for " + y.length + " y values");
        int n = 0;
        double sx = 0, sy = 0;
        for (int i = 0; i < x.length; i++) {
            if (!Double.isFinite(x[i]) || !Double.isFinite(y[i])) continue;
            n++;
            sx += x[i];
            sy += y[i];
        }
        if (n < 2) return Double.NaN;
        double mx = sx / n, my = sy / n, sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.length; i++) {
            if (!Double.isFinite(x[i]) || !Double.isFinite(y[i])) continue;
            double dx = x[i] - mx, dy = y[i] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        if (sxx == 0 || syy == 0) return Double.NaN;
        return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
    }
}
