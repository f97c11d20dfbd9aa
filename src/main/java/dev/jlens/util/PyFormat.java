package dev.jlens.util;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Objects;

/**
 * The three Python format specifications that {@code test_prompt} uses, with Python's results to the byte.
 *
 * <p>Numbers are rounded correctly from their exact binary value, half to even on exact ties (as CPython's
 * {@code format(x, '.2f')}, never as {@link String#format}): {@code 0.125 -> "0.12"}, {@code 2.675 -> "2.67"}
 * (its binary value lies below 2.675). NaN prints {@code nan} (whatever its sign bit, as CPython), the
 * infinities {@code inf} and {@code -inf}, and a negative value that rounds to zero keeps its sign
 * ({@code -0.001 -> "-0.00"}, as does {@code -0.0}).
 *
 * <p>The values TransformerLens formats are float32 tensor items that Python turns into a double exactly.
 * Pass a Java {@code float} straight in (the widening to {@code double} is exact), never through a decimal
 * string such as {@code Double.parseDouble(Float.toString(f))}, which changes the rounding of ties:
 * {@code fixed(0.0065f, 0, 3)} is {@code "0.007"} but {@code fixed(0.0065, 0, 3)} is {@code "0.006"}.
 */
public final class PyFormat {
    private PyFormat() {}

    /** Python's {@code f"{value:{width}.{decimals}f}"}: right-aligned in {@code width}, never truncated. */
    public static String fixed(double value, int width, int decimals) {
        return padLeft(fixedDigits(value, decimals), width);
    }

    /**
     * Python's {@code f"{value:{width}.{decimals}%}"}: {@code value * 100} (a double product, as Python) in
     * fixed notation followed by {@code %}, right-aligned in {@code width} (which counts the {@code %}).
     * {@code percent(0.0351, 6, 2)} is {@code " 3.51%"}, {@code percent(1.0, 6, 2)} is {@code "100.00%"}.
     */
    public static String percent(double value, int width, int decimals) {
        return padLeft(fixedDigits(value * 100.0, decimals) + "%", width);
    }

    /**
     * Python's {@code f"{value: <{width}}"} (equally {@code f"{value:<{width}}"}): the value's text
     * left-aligned and padded with spaces to {@code width} code points, never truncated. Strings print as
     * they are; integers ({@link Integer}, {@link Long}, {@link Short}, {@link Byte}, {@link BigInteger}) in
     * decimal; a {@link Boolean} as {@code 1} or {@code 0}, as Python's {@code format(True, '<8')} does.
     *
     * @throws IllegalArgumentException for a value of another type (floats need a presentation type)
     */
    public static String leftAlign(Object value, int width) {
        Objects.requireNonNull(value, "value");
        String text = switch (value) {
            case String s -> s;
            case Integer n -> n.toString();
            case Long n -> n.toString();
            case Short n -> n.toString();
            case Byte n -> n.toString();
            case BigInteger n -> n.toString();
            case Boolean b -> b ? "1" : "0";
            default -> throw new IllegalArgumentException(
                "PyFormat.leftAlign formats strings and integers, not a " + value.getClass().getName());
        };
        int length = text.codePointCount(0, text.length());
        return length >= width ? text : text + " ".repeat(width - length);
    }

    /** {@code format(value, '.{decimals}f')} without padding. */
    static String fixedDigits(double value, int decimals) {
        if (decimals < 0) {
            throw new IllegalArgumentException("decimals must be >= 0, got " + decimals);
        }
        if (Double.isNaN(value)) {
            return "nan";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "inf" : "-inf";
        }
        String digits = new BigDecimal(value).setScale(decimals, RoundingMode.HALF_EVEN).toPlainString();
        boolean negative = Double.doubleToRawLongBits(value) < 0;
        return negative && digits.charAt(0) != '-' ? "-" + digits : digits;
    }

    private static String padLeft(String text, int width) {
        return text.length() >= width ? text : " ".repeat(width - text.length()) + text;
    }
}
