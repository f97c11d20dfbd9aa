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
    private static final int[] WIDE_UNICODE_14 = CodePointRanges.resource(RichCells.class, "wide-unicode-14.txt");

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
                return CodePointRanges.contains(VISIBLE_FORMAT, cp) ? 1 : 0;
            }
            case Character.UNASSIGNED -> {
                if (CodePointRanges.contains(IGNORABLE_UNASSIGNED, cp) || CodePointRanges.contains(MARKS_UNICODE_17, cp)) {
                    return 0;
                }
            }
            default -> { }
        }
        if (CodePointRanges.contains(WIDE_UNICODE_14, cp) || CodePointRanges.contains(WIDE_CJK, cp)
            || CodePointRanges.contains(WIDE_SINCE_UNICODE_15, cp) || CodePointRanges.contains(WIDE_SINCE_UNICODE_16, cp)) {
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
