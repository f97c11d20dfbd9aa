package dev.jlens.viz;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * How figures print numbers, identically in Java (SVG tooltips, tables) and in the browser
 * ({@code jlens.fmt} in jlens-figures.js): four decimals ({@code toFixed(4)}), or four significant digits in
 * exponent form ({@code toExponential(3)}) below 1e-3 or from 1e5 in magnitude. A float is first turned into
 * the shortest decimal that names it, as it is written into a page's JSON, so both sides round the same double.
 */
public final class Values {
    private Values() {}

    public static String format(float value) {
        if (Float.isNaN(value) || Float.isInfinite(value)) return nonFinite(value);
        return format(Double.parseDouble(Float.toString(value)));
    }

    public static String format(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) return nonFinite(value);
        double a = Math.abs(value);
        if (a != 0 && (a < 1e-3 || a >= 1e5)) return exponential(value);
        // toFixed: the exact binary value rounded half away from zero
        String s = new BigDecimal(a).setScale(4, RoundingMode.HALF_UP).toPlainString();
        return value < 0 ? "-" + s : s;
    }

    private static String exponential(double value) {
        BigDecimal exact = new BigDecimal(Math.abs(value)).round(new MathContext(4, RoundingMode.HALF_UP));
        int exponent = exact.precision() - exact.scale() - 1;
        BigDecimal mantissa = exact.movePointLeft(exponent).setScale(3, RoundingMode.UNNECESSARY);
        return (value < 0 ? "-" : "") + mantissa.toPlainString() + "e" + (exponent < 0 ? "-" : "+") + Math.abs(exponent);
    }

    private static String nonFinite(double v) {
        return Double.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
    }

    /** A coordinate in SVG: at most two decimals, no trailing zeros. */
    static String coord(double v) {
        long r = Math.round(v * 100);
        if (r % 100 == 0) return Long.toString(r / 100);
        BigDecimal d = BigDecimal.valueOf(r, 2).stripTrailingZeros();
        return d.toPlainString();
    }

    /** An axis tick: the shortest of a few decimals that shows the step. */
    static String tick(double v, double step) {
        int decimals = Math.max(0, Math.min(6, (int) Math.ceil(-Math.log10(step) - 1e-9)));
        String s = new BigDecimal(v).setScale(decimals, RoundingMode.HALF_UP).toPlainString();
        return s.matches("-0(\\.0*)?") ? s.substring(1) : s;
    }
}
