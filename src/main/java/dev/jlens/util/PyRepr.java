package dev.jlens.util;

import java.math.BigInteger;
import java.util.List;
import java.util.Objects;

/**
 * Python's {@code repr()} for the values that {@code test_prompt} prints: {@code str}, {@code int}, lists and
 * tuples of them (for example {@code [(' road', 2)]} or {@code [[' a'], [' b']]}).
 *
 * <p>Strings follow CPython 3.11's {@code unicode_repr}: single quotes unless the string contains {@code '}
 * and no {@code "}; a backslash and the chosen quote are escaped; tab, newline and carriage return become
 * {@code \t \n \r}; other characters below U+0020 and U+007F become {@code \xhh}; non-ASCII characters are
 * kept when Python 3.11 finds them printable (Unicode 14.0, see {@link PyUnicode}) and are otherwise written
 * {@code \xhh}, {@code \}{@code uhhhh} or {@code \Uhhhhhhhh} (lower-case hex). A lone surrogate is written
 * {@code \}{@code udxxx} as Python would (jlens' tokenizer never produces one).
 */
public final class PyRepr {
    private PyRepr() {}

    /** A Python tuple, so that a list of tuples can be rendered: {@code [(' road', 2)]}. */
    public record Tuple(Object... items) {
        public Tuple {
            items = items.clone();
        }

        @Override
        public Object[] items() {
            return items.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Tuple t && java.util.Arrays.equals(items, t.items);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(items);
        }

        @Override
        public String toString() {
            return PyRepr.tuple(items);
        }
    }

    /** {@code repr(s)} of a Python {@code str}. */
    public static String str(String s) {
        Objects.requireNonNull(s, "s");
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder out = new StringBuilder(s.length() + 2);
        out.append(quote);
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == quote || cp == '\\') {
                out.append('\\').appendCodePoint(cp);
            } else if (cp == '\t') {
                out.append("\\t");
            } else if (cp == '\n') {
                out.append("\\n");
            } else if (cp == '\r') {
                out.append("\\r");
            } else if (cp < ' ' || cp == 0x7F) {
                hex(out, "\\x", cp, 2);
            } else if (cp < 0x7F) {
                out.append((char) cp);
            } else if (PyUnicode.isPrintable(cp)) {
                out.appendCodePoint(cp);
            } else if (cp <= 0xFF) {
                hex(out, "\\x", cp, 2);
            } else if (cp <= 0xFFFF) {
                hex(out, "\\u", cp, 4);
            } else {
                hex(out, "\\U", cp, 8);
            }
        }
        return out.append(quote).toString();
    }

    /**
     * {@code repr(list)}: {@code [a, b]}, items separated by {@code ", "}, each rendered by {@link #value}.
     */
    public static String list(List<?> items) {
        Objects.requireNonNull(items, "items");
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                out.append(", ");
            }
            out.append(value(items.get(i)));
        }
        return out.append(']').toString();
    }

    /** {@code repr(tuple)}: {@code ('x', 3)}; a 1-tuple is {@code ('x',)}, the empty tuple {@code ()}. */
    public static String tuple(Object... items) {
        Objects.requireNonNull(items, "items");
        StringBuilder out = new StringBuilder("(");
        for (int i = 0; i < items.length; i++) {
            if (i > 0) {
                out.append(", ");
            }
            out.append(value(items[i]));
        }
        if (items.length == 1) {
            out.append(',');
        }
        return out.append(')').toString();
    }

    /**
     * {@code repr} of one value: {@link String} as {@code str}; {@link Integer}, {@link Long}, {@link Short},
     * {@link Byte} and {@link BigInteger} as {@code int}; {@link Boolean} as {@code True}/{@code False};
     * {@code null} as {@code None}; {@link List} as list; {@link Tuple} as tuple. Anything else (floats
     * included, whose Python repr this class does not implement) is rejected.
     *
     * @throws IllegalArgumentException for a value of another type
     */
    public static String value(Object v) {
        return switch (v) {
            case null -> "None";
            case String s -> str(s);
            case Integer n -> n.toString();
            case Long n -> n.toString();
            case Short n -> n.toString();
            case Byte n -> n.toString();
            case BigInteger n -> n.toString();
            case Boolean b -> b ? "True" : "False";
            case Tuple t -> tuple(t.items);
            case List<?> l -> list(l);
            default -> throw new IllegalArgumentException(
                "PyRepr cannot render a " + v.getClass().getName() + " as a Python value: " + v);
        };
    }

    private static void hex(StringBuilder out, String prefix, int cp, int digits) {
        String h = Integer.toHexString(cp);
        out.append(prefix);
        for (int i = h.length(); i < digits; i++) {
            out.append('0');
        }
        out.append(h);
    }
}
