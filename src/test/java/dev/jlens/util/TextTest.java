package dev.jlens.util;

import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

/** One-line messages and quoted names, whatever characters the strings put into them bring. */
class TextTest {

    @Test
    void oneLineJoinsLinesOfEveryKindWithOneSpace() {
        assertThat(Text.oneLine("first\nsecond")).isEqualTo("first second");
        assertThat(Text.oneLine("first\r\nsecond")).isEqualTo("first second");
        assertThat(Text.oneLine("first \n\t second")).isEqualTo("first second");
        assertThat(Text.oneLine("a\rb\u0085c\u2028d\u2029e\u000bf\u000cg")).isEqualTo("a b c d e f g");
        assertThat(Text.oneLine("a\n\nb")).isEqualTo("a  b");
    }

    @Test
    void oneLineStripsTheEndsAndEscapesOtherControls() {
        assertThat(Text.oneLine("\n  message \r\n")).isEqualTo("message");
        assertThat(Text.oneLine("red \u001b[31m bell \u0007 tab\tend")).isEqualTo("red \\u001b[31m bell \\u0007 tab\\tend");
        assertThat(Text.oneLine("")).isEmpty();
        assertThat(Text.oneLine("plain")).isEqualTo("plain");
    }

    @Test
    void aMissingMessageIsUnknownError() {
        assertThat(Text.oneLine(null)).isEqualTo("unknown error");
    }

    @Test
    void quoteShowsEveryCharacterOnOneLineAndCutsLongNames() {
        assertThat(Text.quote("transformer.h.0.ln_1.weight")).isEqualTo("'transformer.h.0.ln_1.weight'");
        assertThat(Text.quote("evil\nname\r\t\u0000\u007f\u2028")).isEqualTo("'evil\\nname\\r\\t\\u0000\\u007f\\u2028'");
        assertThat(Text.quote("")).isEqualTo("''");
        assertThat(Text.quote("x".repeat(200))).isEqualTo("'" + "x".repeat(200) + "'");
        assertThat(Text.quote("x".repeat(201))).isEqualTo("'" + "x".repeat(200) + "...'");
        assertThat(Text.quote("é😀")).isEqualTo("'é😀'");
    }

    @Test
    void describeNamesTheExceptionOnOneLine() {
        assertThat(Text.describe(new IOException("disk\nfull"))).isEqualTo("IOException: disk full");
        assertThat(Text.describe(new IllegalStateException())).isEqualTo("IllegalStateException");
    }
}
