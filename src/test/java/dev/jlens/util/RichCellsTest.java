package dev.jlens.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Expected values were produced by running rich 14.3.3 (its source, Python 3.11.7):
 * {@code rich.cells.get_character_cell_size}, {@code cell_len}, {@code chop_cells}, {@code set_cell_size}.
 * When RichCells was written, {@link RichCells#charWidth} and {@link RichCells#narrowToWide} were also compared
 * with rich 14.3.3's Unicode 17.0 cell table for every code point: no difference.
 */
class RichCellsTest {

    @Test
    void characterWidthsAsRich() {
        int[][] widths = {
            {0x0, 0}, {0x1, 0}, {0x7, 0}, {0x1B, 0}, {0x7F, 0}, {0x9F, 0}, {0x20, 1}, {0x41, 1}, {0xA0, 1},
            {0xAD, 1}, {0x300, 0}, {0x483, 0}, {0x600, 1}, {0x903, 0}, {0x1100, 2}, {0x1160, 0}, {0x200B, 0},
            {0x200D, 0}, {0x2028, 0}, {0x2630, 2}, {0x2764, 1}, {0x3000, 2}, {0x3164, 0}, {0x4E00, 2}, {0x9FFF, 2},
            {0xD7B0, 0}, {0xFE0F, 0}, {0xFEFF, 0}, {0xFF01, 2}, {0xFFA0, 0}, {0xFFFD, 1}, {0x1F1E6, 1}, {0x1F3FB, 0},
            {0x1F600, 2}, {0x1FA89, 2}, {0x1FACD, 2}, {0x20000, 2}, {0x2FFFF, 1}, {0x31350, 2}, {0x323B0, 2},
            {0xE0001, 0}, {0xE0100, 0}, {0xE0FFF, 0}, {0x10FFFF, 1}, {0x2065, 0}, {0xFFF0, 0}, {0x1ACF, 0},
            {0x16FF2, 2}, {0x4DC0, 2}, {0x1D300, 2}, {0x302E, 0},
        };
        for (int[] w : widths) {
            assertThat(RichCells.charWidth(w[0])).as("U+%04X", w[0]).isEqualTo(w[1]);
        }
    }

    @Test
    void stringWidthsAsRich() {
        Object[][] cases = {
            {"", 0},
            {"abc", 3},
            {"日本語", 6},
            {"e\u0301", 1},
            {"❤", 1},
            {"❤\uFE0F", 2},
            {"1\uFE0F", 2},
            {"#\uFE0F\u20E3", 2},
            {"👨\u200D👩\u200D👧", 2},
            {"a\u200Db", 1},
            {"\u200Dab", 1},
            {"\uFE0Fa", 1},
            {"x❤\uFE0F\uFE0F", 3},
            {"\t\n", 0},
        };
        for (Object[] c : cases) {
            assertThat(RichCells.cellLen((String) c[0])).as("cell_len(%s)", PyRepr.str((String) c[0])).isEqualTo(c[1]);
        }
    }

    @Test
    void chopCellsAsRich() {
        assertThat(chop("abcdefg", 3)).containsExactly("abc", "def", "g");
        assertThat(chop("日本語x", 3)).containsExactly("日", "本", "語x");
        assertThat(chop("日本語", 1)).containsExactly("", "日", "本", "語");
        assertThat(chop("a\u0301b\u0301c", 2)).containsExactly("a\u0301b\u0301", "c");
        assertThat(chop("❤\uFE0F❤", 2)).containsExactly("❤\uFE0F", "❤");
        assertThat(chop("👨\u200D👩x", 2)).containsExactly("👨\u200D👩", "x");
        assertThat(chop("\u0301ab", 1)).containsExactly("\u0301a", "b");
    }

    @Test
    void setCellSizeCropsAsRich() {
        assertThat(crop("abcdef", 3)).isEqualTo("abc");
        assertThat(crop("日本語", 3)).isEqualTo("日 ");
        assertThat(crop("日本語", 4)).isEqualTo("日本");
        assertThat(crop("a日b", 2)).isEqualTo("a ");
        assertThat(crop("❤\uFE0Fx", 1)).isEqualTo(" ");
        assertThat(crop("e\u0301e\u0301", 1)).isEqualTo("e\u0301");
    }

    private static List<String> chop(String s, int width) {
        int[] cps = s.codePoints().toArray();
        List<String> out = new ArrayList<>();
        int at = 0;
        for (int length : RichCells.chopCells(cps, 0, cps.length, width)) {
            out.add(new String(cps, at, length));
            at += length;
        }
        return out;
    }

    private static String crop(String s, int width) {
        return RichCells.cropToCells(s.codePoints().toArray(), width);
    }
}
