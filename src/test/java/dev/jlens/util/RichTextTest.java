package dev.jlens.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Expected outputs were produced by running rich 14.3.3 (its source, on Python 3.11.7):
 * {@code Console(file=io.StringIO(), width=W).print(markup)}, which is what {@code rich.print(markup)} writes to
 * a non-terminal of width W, and {@code str(MarkupError)} for the errors of {@code rich.markup.render(markup)}.
 */
class RichTextTest {

    static Arguments printed(String name, String markup, int width, String expected) {
        return Arguments.of(name, markup, width, expected);
    }

    static Stream<Arguments> richOutputs() {
        return Stream.of(
            printed("ranks100", "[b]Ranks of the answer tokens:[/b] [[(' Paris', 0), (' London', 12), (' Berlin', 345), (' Madrid', 6789), (' Rome', 10)]]", 80,
                "Ranks of the answer tokens: [[(' Paris', 0), (' London', 12), (' Berlin', 345), \n(' Madrid', 6789), (' Rome', 10)]]\n"),
            printed("word90", "x".repeat(90), 80,
                "x".repeat(80) + "\nxxxxxxxxxx\n"),
            printed("word90InRankLine", "[b]Rank: 5        Logit:  1.00 Prob:  0.01% Token: |" + "-".repeat(90) + "|[/b]", 80,
                "Rank: 5        Logit:  1.00 Prob:  0.01% Token: \n|" + "-".repeat(79) + "\n-----------|\n"),
            printed("word90AfterWords", "abc def " + "y".repeat(90) + " ghi", 80,
                "abc def \n" + "y".repeat(80) + "\nyyyyyyyyyy ghi\n"),
            printed("word170", "z".repeat(170), 80,
                "z".repeat(80) + "\n" + "z".repeat(80) + "\nzzzzzzzzzz\n"),
            printed("cjk", "日本語".repeat(30), 80,
                "日本語".repeat(13) + "日\n" + "本語日".repeat(13) + "本\n語日本語日本語日本語\n"),
            printed("cjkFoldStraddles", "a" + "日".repeat(45), 80,
                "a" + "日".repeat(39) + "\n日日日日日日\n"),
            printed("cjkWords", "日本 ".repeat(30), 80,
                "日本 ".repeat(16) + "\n" + "日本 ".repeat(14) + "\n"),
            printed("exactly80", "word ".repeat(15) + "word", 80,
                "word ".repeat(15) + "word\n"),
            printed("exactly80TrailingSpace", "word ".repeat(16), 80,
                "word ".repeat(16) + "\n"),
            printed("cells81", "word ".repeat(16) + "w", 80,
                "word ".repeat(16) + "\nw\n"),
            printed("chars81WideBefore", "日".repeat(39) + " abc", 80,
                "日".repeat(39) + " \nabc\n"),
            printed("spacesAtBreak", "a".repeat(78) + "   bbbbb", 80,
                "a".repeat(78) + "  \nbbbbb\n"),
            printed("manySpacesAtBreak", "abc" + " ".repeat(100) + "def", 80,
                "abc" + " ".repeat(77) + "\ndef\n"),
            printed("trailingSpacesBeyondWidth", "abc" + " ".repeat(100), 80,
                "abc" + " ".repeat(77) + "\n"),
            printed("onlySpaces", " ".repeat(100), 80,
                " ".repeat(80) + "\n"),
            printed("leadingSpaces", "  " + " lead".repeat(20) + " ", 80,
                "  " + " lead".repeat(15) + " \n" + "lead ".repeat(5) + "\n"),
            printed("wideTrailingSpaces", "日".repeat(40) + "   ", 80,
                "日".repeat(40) + "\n"),
            printed("tabs", "a\tb\tc", 80,
                "a       b       c\n"),
            printed("tabsLeading", "\t\tx", 80,
                " ".repeat(16) + "x\n"),
            printed("tabAfterWide", "日\tx", 80,
                "日      x\n"),
            printed("tabAtStop", "abcdefg\th", 80,
                "abcdefg h\n"),
            printed("tabWraps", "x".repeat(75) + "\tword", 80,
                "x".repeat(75) + "     \nword\n"),
            printed("newlines", "a\n\nb\n", 80,
                "a\n\nb\n\n"),
            printed("empty", "", 80,
                "\n"),
            printed("controls", "a\rb\007c\013d\fe\bf\033g\000h", 80,
                "abcdef\033g\000h\n"),
            printed("narrow", "The quick brown fox jumps over the lazy dog", 10,
                "The quick \nbrown fox \njumps over\nthe lazy \ndog\n"),
            printed("narrowFold", "abcdefghijklmnopqrstuvwxyz 1234", 7,
                "abcdefg\nhijklmn\nopqrstu\nvwxyz \n1234\n"),
            printed("width1Wide", "日本 a", 1,
                " \n \n \na\n"),
            printed("combining", "e\u0301".repeat(85), 80,
                "e\u0301".repeat(80) + "\ne\u0301e\u0301e\u0301e\u0301e\u0301\n"),
            printed("nbspIsSpace", "a".repeat(79) + "\u00A0bbbbb", 80,
                "a".repeat(79) + "\u00A0\nbbbbb\n"),
            printed("ideographicSpace", "日".repeat(39) + "\u3000本本本", 80,
                "日".repeat(39) + "\u3000\n本本本\n"),
            printed("softHyphen", "\u00AD".repeat(81), 80,
                "\u00AD".repeat(80) + "\n\u00AD\n"),
            printed("markupBold", "[b]x[/b]", 80,
                "x\n"),
            printed("markupImplicitClose", "[bold red]x[/] y", 80,
                "x y\n"),
            printed("markupAliasClose", "[b]x[/bold] [red bold]y[/bold red]", 80,
                "x y\n"),
            printed("markupEscaped", "\\[b]x", 80,
                "[b]x\n"),
            printed("markupEscapedBackslash", "\\\\[b]x[/b]", 80,
                "\\x\n"),
            printed("markupThreeBackslashes", "\\\\\\[b]x", 80,
                "\\[b]x\n"),
            printed("markupNotTags", "[1] [ ] [] [B] [_x] [-]", 80,
                "[1] [ ] [] [B] [_x] [-]\n"),
            printed("markupBackslashBracket", "a\\[1] b\\[", 80,
                "a[1] b[\n"),
            printed("markupUnclosed", "[i]x", 80,
                "x\n"),
            printed("markupLink", "[link=https://x.org/a]site[/link]", 80,
                "site\n"),
            printed("markupTagSpansNewline", "a[b\nc]d", 80,
                "ad\n"),
            printed("markupTokenSlash", "[b]Rank: 1        Logit:  0.50 Prob:  0.01% Token: |[/|[/b]", 80,
                "Rank: 1        Logit:  0.50 Prob:  0.01% Token: |[/|\n"),
            printed("markupTokenItalic", "[b]Rank: 1        Logit:  0.50 Prob:  0.01% Token: |[i]|[/b]", 80,
                "Rank: 1        Logit:  0.50 Prob:  0.01% Token: ||\n"),
            printed("markupTokenBrackets", "[b]Rank: 1        Logit:  0.50 Prob:  0.01% Token: |[|[/b]\n[b]Rank: 2        Logit:  0.40 Prob:  0.01% Token: |]|[/b]\n[b]Rank: 3        Logit:  0.30 Prob:  0.01% Token: |\\|[/b]", 80,
                "Rank: 1        Logit:  0.50 Prob:  0.01% Token: |[|\nRank: 2        Logit:  0.40 Prob:  0.01% Token: |]|\nRank: 3        Logit:  0.30 Prob:  0.01% Token: |\\|\n"),
            printed("markupRanksBrackets", "[b]Ranks of the answer tokens:[/b] [(' [', 1), ('[]', 2), (' [...]', 3), (\"['\", 4), ('\\\\', 5)]", 80,
                "Ranks of the answer tokens: [(' [', 1), ('[]', 2), (' [...]', 3), (\"['\", 4), \n('\\\\', 5)]\n")
        );
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("richOutputs")
    void rendersAsRichPrint(String name, String markup, int width, String expected) {
        assertThat(RichText.render(markup, width)).isEqualTo(expected);
    }

    static Arguments error(String name, String markup, String message) {
        return Arguments.of(name, markup, message);
    }

    static Stream<Arguments> richErrors() {
        return Stream.of(
            error("closeNothing", "[/b]",
                "closing tag '[/b]' at position 0 doesn't match any open tag"),
            error("implicitCloseNothing", "x [/]",
                "closing tag '[/]' at position 2 has nothing to close"),
            error("closeWrong", "[b]x[/i]",
                "closing tag '[/i]' at position 4 doesn't match any open tag"),
            error("closeTwice", "[b]x[/b][/b]",
                "closing tag '[/b]' at position 8 doesn't match any open tag"),
            error("ranksSlashToken", "[b]Ranks of the answer tokens:[/b] [(' [/', 5)]",
                "closing tag '[/', 5)]' at position 39 doesn't match any open tag"),
            error("positionInCodePoints", "😀日[/x=1]",
                "closing tag '[/x=1]' at position 2 doesn't match any open tag"),
            error("positionAfterBackslashes", "ab\\\\[/c]",
                "closing tag '[/c]' at position 4 doesn't match any open tag"),
            error("orderMattersForInvalid", "[b foo!]x[/foo! b]",
                "closing tag '[/foo! b]' at position 9 doesn't match any open tag")
        );
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("richErrors")
    void markupErrorsAsRich(String name, String markup, String message) {
        assertThatThrownBy(() -> RichText.stripMarkup(markup))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage(message);
        assertThatThrownBy(() -> RichText.render(markup, 80))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage(message);
    }

    @Test
    void stripMarkupIsThePlainTextWithoutWrapping() {
        assertThat(RichText.stripMarkup("[b]Ranks of the answer tokens:[/b] [(' road', 2)]"))
            .isEqualTo("Ranks of the answer tokens: [(' road', 2)]");
        assertThat(RichText.stripMarkup("x".repeat(100) + "\t\r")).isEqualTo("x".repeat(100) + "\t");
    }

    /** rich replaces codes from its own table; with the same entries given, jlens does the same. */
    @Test
    void emojiCodesFromAGivenTable() {
        Map<String, String> table = Map.of("smile", "\uD83D\uDE04", "x", "\u274C");
        // rich 14.3.3 printed "\uD83D\uDE04 \u274Csmile:\n": ":x:" is a code, and it consumed the colon.
        assertThat(RichText.render(":smile: :x:smile:", 80, table)).isEqualTo("\uD83D\uDE04 \u274Csmile:\n");
        assertThat(RichText.render(":SMILE-text: :smile-emoji: :nosuch: ::", 80, table))
            .isEqualTo("\uD83D\uDE04\uFE0E \uD83D\uDE04\uFE0F :nosuch: ::\n");
        // A tag inside the code keeps it from being one.
        assertThat(RichText.render("[b]:smile[/b]:", 80, table)).isEqualTo(":smile:\n");
        assertThat(RichText.render(":smile: [b]x[/b]", 80, table)).isEqualTo("\uD83D\uDE04 x\n");
    }

    @Test
    void withoutATableEmojiCodesStay() {
        assertThat(RichText.render(":smile: :x:smile:", 80)).isEqualTo(":smile: :x:smile:\n");
    }

    @Test
    void consoleWidthFromColumns() {
        assertThat(RichText.consoleWidth(null)).isEqualTo(80);
        assertThat(RichText.consoleWidth("")).isEqualTo(80);
        assertThat(RichText.consoleWidth("40")).isEqualTo(40);
        assertThat(RichText.consoleWidth("007")).isEqualTo(7);
        assertThat(RichText.consoleWidth(" 40")).isEqualTo(80);
        assertThat(RichText.consoleWidth("abc")).isEqualTo(80);
        assertThat(RichText.consoleWidth("-5")).isEqualTo(80);
        assertThat(RichText.consoleWidth("0")).isEqualTo(80);
        assertThat(RichText.consoleWidth("99999999999")).isEqualTo(Integer.MAX_VALUE);
        assertThat(RichText.consoleWidth()).isPositive();
    }

    @Test
    void widthMustBePositive() {
        assertThatThrownBy(() -> RichText.render("x", 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void styleNormalization() {
        assertThat(RichText.normalizeStyle("b")).isEqualTo("bold");
        assertThat(RichText.normalizeStyle("red BOLD i")).isEqualTo("bold italic red");
        assertThat(RichText.normalizeStyle("not b on Blue link https://X")).isEqualTo("not bold on blue link https://X");
        assertThat(RichText.normalizeStyle(" none ")).isEqualTo("none");
        assertThat(RichText.normalizeStyle("b foo!")).isEqualTo("b foo!");
        assertThat(RichText.normalizeStyle("@click")).isEqualTo("@click");
    }

    /** Wrapping never loses or reorders text, and no line is wider than the console (seeded random texts). */
    @Test
    void wrappedLinesFitAndKeepEveryWord() {
        Random random = new Random(20240611L);
        String alphabet = "abcdefghij      日本:;,.-'\"()";
        for (int trial = 0; trial < 2000; trial++) {
            int width = 1 + random.nextInt(100);
            StringBuilder text = new StringBuilder();
            for (int i = random.nextInt(300); i > 0; i--) {
                text.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String plain = text.toString();
            String out = RichText.render(plain, width);
            assertThat(out).endsWith("\n");
            String[] lines = out.substring(0, out.length() - 1).split("\n", -1);
            for (String line : lines) {
                assertThat(RichCells.cellLen(line)).as("width %d, text %s", width, plain).isLessThanOrEqualTo(width);
            }
            // Only spaces may go (trailing spaces beyond the width); a wide character cut at width 1 becomes a space.
            if (width > 1) {
                assertThat(String.join("", lines).replace(" ", "")).isEqualTo(plain.replace(" ", ""));
            }
        }
    }
}
