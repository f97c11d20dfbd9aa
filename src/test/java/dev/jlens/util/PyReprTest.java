package dev.jlens.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PyReprTest {

    /**
     * {input, Python's repr(input)}. The right-hand sides were produced by Python 3.11.7:
     * {@code python3 -c "print(repr(s))"} for each left-hand side (Java escapes only spell the same string).
     */
    static Stream<Arguments> strCases() {
        String[][] cases = {
            {"abc", "'abc'"},
            {"it's", "\"it's\""},
            {"say \"hi\"", "'say \"hi\"'"},
            {"both ' and \"", "'both \\' and \"'"},
            {"", "''"},
            {"'", "\"'\""},
            {"\"", "'\"'"},
            {"\\", "'\\\\'"},
            {"a\\b", "'a\\\\b'"},
            {"\n", "'\\n'"},
            {"\t\r\n", "'\\t\\r\\n'"},
            {"\000\007\033\037\u007F", "'\\x00\\x07\\x1b\\x1f\\x7f'"},
            {"\u0080\u009F", "'\\x80\\x9f'"},
            {"é", "'é'"},
            {"日本", "'日本'"},
            {"\uFFFD", "'\uFFFD'"},
            {"😀", "'😀'"},
            {"\u00A0", "'\\xa0'"},
            {"\u00AD", "'\\xad'"},
            {"\u2028", "'\\u2028'"},
            {"\u2029", "'\\u2029'"},
            {"\uFEFF", "'\\ufeff'"},
            {"\u200B", "'\\u200b'"},
            {"\u200D", "'\\u200d'"},
            {"\uE000", "'\\ue000'"},
            {"\uDB80\uDC00", "'\\U000f0000'"},
            {"\u0378", "'\\u0378'"},
            // Assigned by Unicode 15/16 (so printable for Java 25) but unassigned for Python 3.11:
            {"\uD83E\uDE89", "'\\U0001fa89'"},
            {"\u0897", "'\\u0897'"},
            {"\uD884\uDF50", "'\\U00031350'"},
            {"\u3000", "'\\u3000'"},
            {"\u2003", "'\\u2003'"},
            {"\u1680", "'\\u1680'"},
            {"\u0301", "'\u0301'"},
            {"e\u0301", "'e\u0301'"},
            {"\uFE0F", "'\uFE0F'"},
            {" ", "' '"},
            {"<|endoftext|>", "'<|endoftext|>'"},
            {"\uDB40\uDC01", "'\\U000e0001'"},
            {"\uDB40\uDD00", "'\uDB40\uDD00'"},
            {"\u0085", "'\\x85'"},
            {"ÿ", "'ÿ'"},
            {"Ā", "'Ā'"},
            {"\uDBFF\uDFFF", "'\\U0010ffff'"},
            {"\uD7FF", "'\\ud7ff'"},
            {"Ġ", "'Ġ'"},
            {" road", "' road'"},
            {"\\'", "\"\\\\'\""},
            {"'\"\\", "'\\'\"\\\\'"},
        };
        return Stream.of(cases).map(c -> Arguments.of(c[0], c[1]));
    }

    @ParameterizedTest
    @MethodSource("strCases")
    void strIsPythonRepr(String input, String pythonRepr) {
        assertThat(PyRepr.str(input)).isEqualTo(pythonRepr);
    }

    @Test
    void loneSurrogateIsEscapedAsPythonWould() {
        // python3 -c "print(repr('\ud800'))" -> '\ud800'
        assertThat(PyRepr.str("\uD800")).isEqualTo("'\\ud800'");
    }

    // Expected strings below: python3 -c "print(repr([[' a'], [' b']]), repr([(' road', 2)]), ...)".
    @Test
    void listOfStrings() {
        assertThat(PyRepr.list(List.of(" Paris"))).isEqualTo("[' Paris']");
        assertThat(PyRepr.list(List.of())).isEqualTo("[]");
    }

    @Test
    void nestedLists() {
        assertThat(PyRepr.list(List.of(List.of(" a"), List.of(" b")))).isEqualTo("[[' a'], [' b']]");
    }

    @Test
    void listOfTuples() {
        assertThat(PyRepr.list(List.of(new PyRepr.Tuple(" road", 2)))).isEqualTo("[(' road', 2)]");
        assertThat(PyRepr.list(List.of(List.of(new PyRepr.Tuple(" a", 0), new PyRepr.Tuple(" b", 5)))))
            .isEqualTo("[[(' a', 0), (' b', 5)]]");
    }

    @Test
    void tuples() {
        assertThat(PyRepr.tuple("x", 3)).isEqualTo("('x', 3)");
        assertThat(PyRepr.tuple("x")).isEqualTo("('x',)");
        assertThat(PyRepr.tuple()).isEqualTo("()");
        assertThat(PyRepr.list(List.of(new PyRepr.Tuple(), new PyRepr.Tuple("a", -3, true, null))))
            .isEqualTo("[(), ('a', -3, True, None)]");
    }

    @Test
    void integersOfEveryJavaWidth() {
        assertThat(PyRepr.tuple(1L << 40, (short) -7, (byte) 1, new java.math.BigInteger("123456789012345678901234567890")))
            .isEqualTo("(1099511627776, -7, 1, 123456789012345678901234567890)");
    }

    @Test
    void tupleIsAValue() {
        assertThat(new PyRepr.Tuple(" a", 1)).isEqualTo(new PyRepr.Tuple(" a", 1));
        assertThat(new PyRepr.Tuple(" a", 1).toString()).isEqualTo("(' a', 1)");
    }

    @Test
    void floatsAreRejectedRatherThanGuessed() {
        assertThatThrownBy(() -> PyRepr.list(List.of(1.5)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("java.lang.Double");
    }

    /**
     * Every code point: {@link PyUnicode#isPrintable} equals Python 3.11's {@code str.isprintable}, whose
     * non-printable ranges are in {@code python311-nonprintable.txt} (made by python3.11, see its header).
     */
    @Test
    void printabilityEqualsPython311ForEveryCodePoint() throws IOException {
        List<int[]> ranges = new ArrayList<>();
        try (var in = new BufferedReader(new InputStreamReader(
            PyReprTest.class.getResourceAsStream("python311-nonprintable.txt"), StandardCharsets.US_ASCII))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (!line.startsWith("#")) {
                    String[] p = line.split(" ");
                    ranges.add(new int[] {Integer.parseInt(p[0], 16), Integer.parseInt(p[1], 16)});
                }
            }
        }
        int[] flat = ranges.stream().flatMapToInt(java.util.Arrays::stream).toArray();
        List<String> wrong = new ArrayList<>();
        for (int cp = 0; cp < 0x110000; cp++) {
            boolean python = !CodePointRanges.contains(flat, cp);
            if (PyUnicode.isPrintable(cp) != python && wrong.size() < 20) {
                wrong.add(Integer.toHexString(cp));
            }
        }
        assertThat(wrong).as("code points where jlens and Python 3.11 disagree on isprintable").isEmpty();
    }

    /**
     * The list of code points assigned after Unicode 14 was made for Java 25's Unicode 16.0. A JDK with a
     * newer Unicode assigns more (U+323B0, CJK Extension J, is Unicode 17.0): then regenerate the list.
     */
    @Test
    void jdkUnicodeIsTheOneTheTablesWereMadeFor() {
        assertThat(Character.getType(0x31350)).as("U+31350 (Unicode 15.0) assigned").isNotEqualTo(Character.UNASSIGNED);
        assertThat(Character.getType(0x1FA89)).as("U+1FA89 (Unicode 16.0) assigned").isNotEqualTo(Character.UNASSIGNED);
        assertThat(Character.getType(0x323B0)).as("U+323B0 (Unicode 17.0) unassigned").isEqualTo(Character.UNASSIGNED);
    }

    /** Python's str.isspace(): python3 -c "print([hex(c) for c in range(0x110000) if chr(c).isspace()])". */
    @Test
    void spaceEqualsPythonIsSpace() {
        int[] python = {0x9, 0xa, 0xb, 0xc, 0xd, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001,
            0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f,
            0x3000};
        List<Integer> jlens = new ArrayList<>();
        for (int cp = 0; cp < 0x110000; cp++) {
            if (PyUnicode.isSpace(cp)) {
                jlens.add(cp);
            }
        }
        assertThat(jlens).containsExactly(java.util.Arrays.stream(python).boxed().toArray(Integer[]::new));
    }
}
