package dev.jlens.tokenizer;

import dev.jlens.testing.RandomCases;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * GPT-2's pieces for the characters where Java's regex could disagree with Oniguruma. The expected pieces are what
 * Hugging Face tokenizers (Rust) reported as word boundaries for these strings; see {@link PreTokenizer}.
 */
class PreTokenizerTest {
    static Stream<Arguments> pieces() {
        return Stream.of(
                Arguments.of("U+00A0 is whitespace", "a\u00a0 b", List.of("a", "\u00a0", " b")),
                Arguments.of("U+2028 is whitespace", "x\u2028y", List.of("x", "\u2028", "y")),
                Arguments.of("U+3000 is whitespace; a run before a word leaves its last for \\s+",
                        "x\u3000\u3000y", List.of("x", "\u3000", "\u3000", "y")),
                Arguments.of("U+FEFF is not whitespace", "\ufeffHello", List.of("\ufeff", "Hello")),
                Arguments.of("U+180E is not whitespace", "a\u180eb", List.of("a", "\u180e", "b")),
                Arguments.of("a space joins U+180E as 'other'", "a \u180eb", List.of("a", " \u180e", "b")),
                Arguments.of("U+001C..U+001F are not whitespace", "\u001c\u001d x", List.of("\u001c\u001d", " x")),
                Arguments.of("combining marks are not letters", "e\u0301\u0301!", List.of("e", "\u0301\u0301!")),
                Arguments.of("Arabic-Indic digits are numbers", "\u0661\u0662 45", List.of("\u0661\u0662", " 45")),
                Arguments.of("superscripts and Roman numerals are numbers", "x\u00b2 \u216b",
                        List.of("x", "\u00b2", " \u216b")),
                Arguments.of("contractions are lower-case only", "it's It'S", List.of("it", "'s", " It", "'", "S")),
                Arguments.of("trailing spaces stay together", "x   ", List.of("x", "   ")),
                Arguments.of("spaces before a word leave one for it", "a   b", List.of("a", "  ", " b")),
                Arguments.of("supplementary letters", "𝔘𝔫 😀😀", List.of("𝔘𝔫", " 😀😀")),
                Arguments.of("newlines", "a\n\nb\n", List.of("a", "\n", "\n", "b", "\n")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pieces")
    void piecesMatchHuggingFace(String label, String text, List<String> expected) {
        assertThat(pieces(text, 0, text.length())).containsExactlyElementsOf(expected);
    }

    @Test
    void theEndOfARangeIsTheEndOfTheTextForTheLookAhead() {
        // Between special tokens each stretch is split alone: "a  " then "b", not "a", " ", " b".
        assertThat(pieces("a  b", 0, 3)).containsExactly("a", "  ");
        assertThat(pieces("xa  b", 1, 3)).containsExactly("a", " ");
    }

    @Test
    void piecesTileTheTextWithoutGapsOrEmptyPieces() {
        String alphabet = " \t\n\r\u00a0\u3000\u2028'sdtmlvre!?.,0123456789aZé\u0301" + latin1();
        RandomCases.run(6, 1000, r -> {
            String text = RandomCases.fromAlphabet(r, alphabet, 40);
            List<String> pieces = pieces(text, 0, text.length());
            assertThat(String.join("", pieces)).isEqualTo(text);
            assertThat(pieces).noneMatch(String::isEmpty);
        });
    }

    private static String latin1() {
        StringBuilder sb = new StringBuilder();
        for (char c = 0; c <= 0xff; c++) sb.append(c);
        return sb.toString();
    }

    private static List<String> pieces(String text, int from, int to) {
        List<String> out = new ArrayList<>();
        PreTokenizer.split(text, from, to, (start, end) -> out.add(text.substring(start, end)));
        return out;
    }
}
