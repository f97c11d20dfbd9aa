package dev.jlens.util;

import java.util.ArrayList;
import java.util.List;

/**
 * How many terminal cells rich 14.3 ({@code rich.cells}) gives a character and a string, and the ways it cuts
 * strings by cells ({@code split_graphemes}, {@code chop_cells}, {@code set_cell_size}). Strings are handled as
 * arrays of code points, because rich (Python) indexes by code point.
 *
 * <p>rich 14.3 measures with the table of the newest Unicode it ships (17.0, made from the wcwidth project)
 * unless the {@code UNICODE_VERSION} environment variable names another; jlens follows the default. The
 * table is not copied here: {@link #charWidth(int)} states its rules. Zero cells: NUL, C0 and C1 controls,
 * combining marks (Mn, Me and also Mc), format characters (Cf) except the soft hyphen and the prepended
 * concatenation marks, line and paragraph separators, Hangul medial vowels and final consonants and the two
 * Hangul fillers, the emoji skin-tone modifiers, and unassigned default-ignorable code points. Two cells:
 * East Asian Width W or F (Unicode 14's list from Python 3.11's {@code unicodedata}, plus what Unicode 15 to
 * 17 added or changed), emoji presentation characters except the regional indicators (Java 25's Unicode 16
 * emoji data), and the whole CJK ideograph blocks and planes 2 and 3. One cell: everything else. When this
 * class was written its widths and {@link #narrowToWide} set were compared with rich 14.3.3's Unicode 17.0
 * table for all 1,114,112 code points: no difference.
 *
 * <p>A zero-width joiner makes rich skip the character after it (the pair adds no cells), and U+FE0F after a
 * character of {@link #narrowToWide} adds one cell; both only in rich 14.3. rich 14.0 to 14.2 used an older
 * table where every Cf (U+00AD included) had zero cells, U+3164 two and U+FFA0 one, and measured code point
 * by code point; those versions are not followed. For the lines {@code test_prompt} prints with GPT-2
 * tokens the two agree (checked on every token of the vocabulary).
 */
final class RichCells {
    private RichCells() {}

    static final int ZWJ = 0x200D;
    static final int VS16 = 0xFE0F;

    /** East Asian Width W or F in Unicode 14.0 (assigned code points only), inclusive pairs. */
    private static final int[] WIDE_UNICODE_14 = {
        0x1100, 0x115F, 0x231A, 0x231B, 0x2329, 0x232A, 0x23E9, 0x23EC, 0x23F0, 0x23F0, 0x23F3, 0x23F3,
        0x25FD, 0x25FE, 0x2614, 0x2615, 0x2648, 0x2653, 0x267F, 0x267F, 0x2693, 0x2693, 0x26A1, 0x26A1,
        0x26AA, 0x26AB, 0x26BD, 0x26BE, 0x26C4, 0x26C5, 0x26CE, 0x26CE, 0x26D4, 0x26D4, 0x26EA, 0x26EA,
        0x26F2, 0x26F3, 0x26F5, 0x26F5, 0x26FA, 0x26FA, 0x26FD, 0x26FD, 0x2705, 0x2705, 0x270A, 0x270B,
        0x2728, 0x2728, 0x274C, 0x274C, 0x274E, 0x274E, 0x2753, 0x2755, 0x2757, 0x2757, 0x2795, 0x2797,
        0x27B0, 0x27B0, 0x27BF, 0x27BF, 0x2B1B, 0x2B1C, 0x2B50, 0x2B50, 0x2B55, 0x2B55, 0x2E80, 0x2E99,
        0x2E9B, 0x2EF3, 0x2F00, 0x2FD5, 0x2FF0, 0x2FFB, 0x3000, 0x303E, 0x3041, 0x3096, 0x3099, 0x30FF,
        0x3105, 0x312F, 0x3131, 0x318E, 0x3190, 0x31E3, 0x31F0, 0x321E, 0x3220, 0x3247, 0x3250, 0x4DBF,
        0x4E00, 0xA48C, 0xA490, 0xA4C6, 0xA960, 0xA97C, 0xAC00, 0xD7A3, 0xF900, 0xFA6D, 0xFA70, 0xFAD9,
        0xFE10, 0xFE19, 0xFE30, 0xFE52, 0xFE54, 0xFE66, 0xFE68, 0xFE6B, 0xFF01, 0xFF60, 0xFFE0, 0xFFE6,
        0x16FE0, 0x16FE4, 0x16FF0, 0x16FF1, 0x17000, 0x187F7, 0x18800, 0x18CD5, 0x18D00, 0x18D08,
        0x1AFF0, 0x1AFF3, 0x1AFF5, 0x1AFFB, 0x1AFFD, 0x1AFFE, 0x1B000, 0x1B122, 0x1B150, 0x1B152,
        0x1B164, 0x1B167, 0x1B170, 0x1B2FB, 0x1F004, 0x1F004, 0x1F0CF, 0x1F0CF, 0x1F18E, 0x1F18E,
        0x1F191, 0x1F19A, 0x1F200, 0x1F202, 0x1F210, 0x1F23B, 0x1F240, 0x1F248, 0x1F250, 0x1F251,
        0x1F260, 0x1F265, 0x1F300, 0x1F320, 0x1F32D, 0x1F335, 0x1F337, 0x1F37C, 0x1F37E, 0x1F393,
        0x1F3A0, 0x1F3CA, 0x1F3CF, 0x1F3D3, 0x1F3E0, 0x1F3F0, 0x1F3F4, 0x1F3F4, 0x1F3F8, 0x1F43E,
        0x1F440, 0x1F440, 0x1F442, 0x1F4FC, 0x1F4FF, 0x1F53D, 0x1F54B, 0x1F54E, 0x1F550, 0x1F567,
        0x1F57A, 0x1F57A, 0x1F595, 0x1F596, 0x1F5A4, 0x1F5A4, 0x1F5FB, 0x1F64F, 0x1F680, 0x1F6C5,
        0x1F6CC, 0x1F6CC, 0x1F6D0, 0x1F6D2, 0x1F6D5, 0x1F6D7, 0x1F6DD, 0x1F6DF, 0x1F6EB, 0x1F6EC,
        0x1F6F4, 0x1F6FC, 0x1F7E0, 0x1F7EB, 0x1F7F0, 0x1F7F0, 0x1F90C, 0x1F93A, 0x1F93C, 0x1F945,
        0x1F947, 0x1F9FF, 0x1FA70, 0x1FA74, 0x1FA78, 0x1FA7C, 0x1FA80, 0x1FA86, 0x1FA90, 0x1FAAC,
        0x1FAB0, 0x1FABA, 0x1FAC0, 0x1FAC5, 0x1FAD0, 0x1FAD9, 0x1FAE0, 0x1FAE7, 0x1FAF0, 0x1FAF6,
        0x20000, 0x2A6DF, 0x2A700, 0x2B738, 0x2B740, 0x2B81D, 0x2B820, 0x2CEA1, 0x2CEB0, 0x2EBE0,
        0x2F800, 0x2FA1D, 0x30000, 0x3134A,
    };

    /**
     * Wide (East Asian Width W) code points that Unicode 15.0 to 17.0 added: ideographic description
     * characters, CJK strokes, kana, Khitan, Tangut and their components, and emoji. Java 25 knows those up to
     * Unicode 16 as assigned; those of Unicode 17 are unassigned for it.
     */
    private static final int[] WIDE_SINCE_UNICODE_15 = {
        0x2FFC, 0x2FFF, 0x31E4, 0x31E5, 0x31EF, 0x31EF, 0x16FF2, 0x16FF6, 0x187F8, 0x187FF, 0x18CFF, 0x18CFF,
        0x18D09, 0x18D1E, 0x18D80, 0x18DF2, 0x1B132, 0x1B132, 0x1B155, 0x1B155, 0x1F6D8, 0x1F6D8,
        0x1FA8A, 0x1FA8A, 0x1FA8E, 0x1FA8E, 0x1FAC8, 0x1FAC8, 0x1FACD, 0x1FACD, 0x1FAEA, 0x1FAEA,
        0x1FAEF, 0x1FAEF,
    };

    /**
     * Symbols that Unicode 16.0 changed to East Asian Width W: the Yijing trigrams, digrams and monograms
     * beside U+2630, the Yijing hexagrams, the Tai Xuan Jing symbols and the counting-rod numerals.
     */
    private static final int[] WIDE_SINCE_UNICODE_16 = {
        0x2630, 0x2637, 0x268A, 0x268F, 0x4DC0, 0x4DFF, 0x1D300, 0x1D356, 0x1D360, 0x1D376,
    };

    /** Blocks whose every code point, assigned or not, is wide: CJK ideographs and planes 2 and 3. */
    private static final int[] WIDE_CJK = {
        0x3400, 0x4DBF, 0x4E00, 0x9FFF, 0xF900, 0xFAFF, 0x20000, 0x2FFFD, 0x30000, 0x3FFFD,
    };

    /** Combining marks that Unicode 17.0 added (unassigned for Java 25; zero cells for rich). */
    private static final int[] MARKS_UNICODE_17 = {
        0x1ACF, 0x1ADD, 0x1AE0, 0x1AEB, 0x10EFA, 0x10EFB, 0x11B60, 0x11B67, 0x1E6E3, 0x1E6E3,
        0x1E6E6, 0x1E6E6, 0x1E6EE, 0x1E6EF, 0x1E6F5, 0x1E6F5,
    };

    /** Unassigned default-ignorable code points (zero cells). */
    private static final int[] IGNORABLE_UNASSIGNED = {
        0x2065, 0x2065, 0xFFF0, 0xFFF8, 0xE0000, 0xE0FFF,
    };

    /** Cf characters that take a cell: the soft hyphen and the prepended concatenation marks. */
    private static final int[] VISIBLE_FORMAT = {
        0xAD, 0xAD, 0x600, 0x605, 0x6DD, 0x6DD, 0x70F, 0x70F, 0x890, 0x891, 0x8E2, 0x8E2,
        0x110BD, 0x110BD, 0x110CD, 0x110CD,
    };

    /** Cells of one code point, as {@code rich.cells.get_character_cell_size}. */
    static int charWidth(int cp) {
        if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) {
            return 0;
        }
        if (cp < 0x300) {
            return 1; // Latin-1 (U+00AD included) and Latin Extended
        }
        if ((cp >= 0x1160 && cp <= 0x11FF) || (cp >= 0xD7B0 && cp <= 0xD7FF) || cp == 0x3164 || cp == 0xFFA0
            || (cp >= 0x1F3FB && cp <= 0x1F3FF)) {
            return 0;
        }
        switch (Character.getType(cp)) {
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK,
                 Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> {
                return 0;
            }
            case Character.FORMAT -> {
                return PyUnicode.inRanges(VISIBLE_FORMAT, cp) ? 1 : 0;
            }
            case Character.UNASSIGNED -> {
                if (PyUnicode.inRanges(IGNORABLE_UNASSIGNED, cp) || PyUnicode.inRanges(MARKS_UNICODE_17, cp)) {
                    return 0;
                }
            }
            default -> { }
        }
        if (PyUnicode.inRanges(WIDE_UNICODE_14, cp) || PyUnicode.inRanges(WIDE_CJK, cp)
            || PyUnicode.inRanges(WIDE_SINCE_UNICODE_15, cp) || PyUnicode.inRanges(WIDE_SINCE_UNICODE_16, cp)) {
            return 2;
        }
        // Emoji presentation characters are wide, except the regional indicators (East Asian Width N).
        if (Character.isEmojiPresentation(cp) && !(cp >= 0x1F1E6 && cp <= 0x1F1FF)) {
            return 2;
        }
        return 1;
    }

    /**
     * Whether U+FE0F after this character widens it from one cell to two (rich's {@code narrow_to_wide}):
     * emoji without emoji presentation that take one cell.
     */
    static boolean narrowToWide(int cp) {
        return Character.isEmoji(cp) && !Character.isEmojiPresentation(cp) && charWidth(cp) == 1;
    }

    /** {@code rich.cells.cell_len} of {@code cps[from, to)}. */
    static int cellLen(int[] cps, int from, int to) {
        boolean special = false;
        for (int i = from; i < to; i++) {
            if (cps[i] == ZWJ || cps[i] == VS16) {
                special = true;
                break;
            }
        }
        int total = 0;
        if (!special) {
            for (int i = from; i < to; i++) {
                total += charWidth(cps[i]);
            }
            return total;
        }
        int lastMeasured = -1;
        int i = from;
        while (i < to) {
            int c = cps[i];
            if (c == ZWJ) {
                i++; // rich skips the joiner and the character it joins
            } else if (c == VS16) {
                if (lastMeasured >= 0) {
                    if (narrowToWide(lastMeasured)) {
                        total += 1;
                    }
                    lastMeasured = -1;
                }
            } else {
                int w = charWidth(c);
                if (w != 0) {
                    lastMeasured = c;
                    total += w;
                }
            }
            i++;
        }
        return total;
    }

    static int cellLen(int[] cps) {
        return cellLen(cps, 0, cps.length);
    }

    static int cellLen(String s) {
        return cellLen(s.codePoints().toArray());
    }

    /**
     * rich's {@code split_graphemes}: spans {start, end, cells} covering {@code cps[from, to)} (indices
     * relative to {@code from}); a zero-width character joins the previous span, a zero-width joiner takes
     * the next character into the span without adding cells, U+FE0F may widen the span by one.
     */
    static List<int[]> splitGraphemes(int[] cps, int from, int to) {
        List<int[]> spans = new ArrayList<>();
        int count = to - from;
        int index = 0;
        int lastMeasured = -1;
        while (index < count) {
            int c = cps[from + index];
            if (c == ZWJ || c == VS16) {
                if (spans.isEmpty()) {
                    spans.add(new int[] {index, index + 1, 0});
                    index++;
                    continue;
                }
                int[] last = spans.getLast();
                if (c == ZWJ) {
                    index += index < count - 1 ? 2 : 1;
                    last[1] = index;
                } else {
                    index++;
                    if (lastMeasured >= 0 && narrowToWide(lastMeasured)) {
                        lastMeasured = -1;
                        last[2] += 1;
                    }
                    last[1] = index;
                }
                continue;
            }
            int w = charWidth(c);
            if (w != 0) {
                lastMeasured = c;
                spans.add(new int[] {index, index + 1, w});
            } else if (!spans.isEmpty()) {
                spans.getLast()[1] = index + 1;
            } else {
                spans.add(new int[] {index, index + 1, 0});
            }
            index++;
        }
        return spans;
    }

    /**
     * rich's {@code chop_cells}: cuts {@code cps[from, to)} into pieces of at most {@code width} cells, never
     * inside a grapheme. Returns the pieces' lengths in code points.
     */
    static List<Integer> chopCells(int[] cps, int from, int to, int width) {
        List<Integer> lengths = new ArrayList<>();
        int lineSize = 0;
        int lineOffset = 0;
        for (int[] span : splitGraphemes(cps, from, to)) {
            if (lineSize + span[2] > width) {
                lengths.add(span[0] - lineOffset);
                lineOffset = span[0];
                lineSize = 0;
            }
            lineSize += span[2];
        }
        if (lineSize != 0) {
            lengths.add(to - from - lineOffset);
        }
        return lengths;
    }

    /**
     * rich's {@code set_cell_size} for a string longer than {@code total} cells: the longest prefix that fits,
     * where a two-cell grapheme cut in half becomes a space.
     */
    static String cropToCells(int[] cps, int total) {
        if (total <= 0) {
            return "";
        }
        int size = cellLen(cps);
        if (size <= total) {
            return new String(cps, 0, cps.length) + " ".repeat(total - size);
        }
        int left = 0;
        for (int[] span : splitGraphemes(cps, 0, cps.length)) {
            if (left == total) {
                return new String(cps, 0, span[0]);
            }
            if (left + span[2] > total) {
                return new String(cps, 0, span[0]) + " ";
            }
            left += span[2];
        }
        return new String(cps, 0, cps.length);
    }
}
