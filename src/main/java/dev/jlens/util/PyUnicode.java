package dev.jlens.util;

/**
 * The two character classes of CPython 3.11 that the formatting layer needs: {@code str.isprintable()}
 * (which decides what {@code repr} escapes) and {@code str.isspace()} (which is also what {@code \s} matches
 * in a {@code str} regular expression, and what {@code str.strip()} removes).
 *
 * <p>Python 3.11 carries Unicode 14.0; Java 25 carries Unicode 16.0. A code point's general category is
 * taken from {@link Character#getType(int)}, and the code points that Unicode 15.0 and 16.0 assigned (which
 * are unassigned, hence not printable, for Python 3.11) are listed in {@link #ASSIGNED_AFTER_UNICODE_14}.
 * With that list, {@link #isPrintable(int)} equals Python 3.11's {@code isprintable} for every code point
 * (checked exhaustively when the list was made). A JDK with a newer Unicode would make more code points
 * assigned; {@code PyUnicodeTest} notices that and asks for the list to be regenerated.
 */
final class PyUnicode {
    private PyUnicode() {}

    /**
     * Code points (inclusive start, inclusive end pairs) that are assigned in Java 25 (Unicode 16.0) but were
     * unassigned in Unicode 14.0 (how the list was made is in its file).
     */
    static final int[] ASSIGNED_AFTER_UNICODE_14 = CodePointRanges.resource(PyUnicode.class, "assigned-after-unicode-14.txt");

    /** Python 3.11's {@code chr(cp).isprintable()}. */
    static boolean isPrintable(int cp) {
        if (cp == ' ') {
            return true;
        }
        switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
                 Character.UNASSIGNED, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                 Character.SPACE_SEPARATOR -> {
                return false;
            }
            default -> {
                return !CodePointRanges.contains(ASSIGNED_AFTER_UNICODE_14, cp);
            }
        }
    }

    /** Python's {@code chr(cp).isspace()}, the same set as {@code \s} in a {@code str} pattern. */
    static boolean isSpace(int cp) {
        if (cp < 0x80) {
            return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20);
        }
        return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A)
            || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
    }
}
