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
     * unassigned in Unicode 14.0. Made by comparing, for every code point, Java 25's
     * {@code Character.getType} with Python 3.11's {@code unicodedata.category} / {@code str.isprintable}.
     */
    static final int[] ASSIGNED_AFTER_UNICODE_14 = {
        0x897, 0x897, 0xCF3, 0xCF3, 0xECE, 0xECE, 0x1B4E, 0x1B4F, 0x1B7F, 0x1B7F, 0x1C89, 0x1C8A,
        0x2427, 0x2429, 0x2FFC, 0x2FFF, 0x31E4, 0x31E5, 0x31EF, 0x31EF, 0xA7CB, 0xA7CD, 0xA7DA, 0xA7DC,
        0x105C0, 0x105F3, 0x10D40, 0x10D65, 0x10D69, 0x10D85, 0x10D8E, 0x10D8F, 0x10EC2, 0x10EC4,
        0x10EFC, 0x10EFF, 0x1123F, 0x11241, 0x11380, 0x11389, 0x1138B, 0x1138B, 0x1138E, 0x1138E,
        0x11390, 0x113B5, 0x113B7, 0x113C0, 0x113C2, 0x113C2, 0x113C5, 0x113C5, 0x113C7, 0x113CA,
        0x113CC, 0x113D5, 0x113D7, 0x113D8, 0x113E1, 0x113E2, 0x116D0, 0x116E3, 0x11B00, 0x11B09,
        0x11BC0, 0x11BE1, 0x11BF0, 0x11BF9, 0x11F00, 0x11F10, 0x11F12, 0x11F3A, 0x11F3E, 0x11F5A,
        0x1342F, 0x1342F, 0x13440, 0x13455, 0x13460, 0x143FA, 0x16100, 0x16139, 0x16D40, 0x16D79,
        0x18CFF, 0x18CFF, 0x1B132, 0x1B132, 0x1B155, 0x1B155, 0x1CC00, 0x1CCF9, 0x1CD00, 0x1CEB3,
        0x1D2C0, 0x1D2D3, 0x1DF25, 0x1DF2A, 0x1E030, 0x1E06D, 0x1E08F, 0x1E08F, 0x1E4D0, 0x1E4F9,
        0x1E5D0, 0x1E5FA, 0x1E5FF, 0x1E5FF, 0x1F6DC, 0x1F6DC, 0x1F774, 0x1F776, 0x1F77B, 0x1F77F,
        0x1F7D9, 0x1F7D9, 0x1F8B2, 0x1F8BB, 0x1F8C0, 0x1F8C1, 0x1FA75, 0x1FA77, 0x1FA87, 0x1FA89,
        0x1FA8F, 0x1FA8F, 0x1FAAD, 0x1FAAF, 0x1FABB, 0x1FABF, 0x1FAC6, 0x1FAC6, 0x1FACE, 0x1FACF,
        0x1FADA, 0x1FADC, 0x1FADF, 0x1FADF, 0x1FAE8, 0x1FAE9, 0x1FAF7, 0x1FAF8, 0x1FBCB, 0x1FBEF,
        0x2B739, 0x2B739, 0x2EBF0, 0x2EE5D, 0x31350, 0x323AF,
    };

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
                return !inRanges(ASSIGNED_AFTER_UNICODE_14, cp);
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

    /** True if {@code cp} lies in one of the inclusive [start, end] pairs of the sorted {@code ranges}. */
    static boolean inRanges(int[] ranges, int cp) {
        int lo = 0;
        int hi = ranges.length / 2 - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (cp < ranges[2 * mid]) {
                hi = mid - 1;
            } else if (cp > ranges[2 * mid + 1]) {
                lo = mid + 1;
            } else {
                return true;
            }
        }
        return false;
    }
}
