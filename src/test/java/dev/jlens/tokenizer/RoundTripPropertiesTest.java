package dev.jlens.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jlens.JlensException;
import dev.jlens.testing.RandomCases;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Encoding loses nothing: for any well-formed text, the tokens' bytes are the text's UTF-8 and decoding gives the
 * text back. The {@code exhaustive} variant (100,000 tries) runs with {@code -Pexhaustive}.
 */
class RoundTripPropertiesTest {
    private static final Gpt2Tokenizer TOKENIZER = TestFixtures.tokenizerA();

    @Test
    void decodeOfEncodeIsTheText() {
        RandomCases.run(1, 2000, r -> checkRoundTrip(text(r)));
    }

    @Test
    @Tag("exhaustive")
    void decodeOfEncodeIsTheTextExhaustive() {
        RandomCases.run(2, 100_000, r -> checkRoundTrip(text(r)));
    }

    @Test
    void tokenBytesConcatenateToTheUtf8OfTheText() {
        RandomCases.run(3, 2000, r -> checkTokenBytes(text(r)));
    }

    @Test
    @Tag("exhaustive")
    void tokenBytesConcatenateToTheUtf8OfTheTextExhaustive() {
        RandomCases.run(4, 100_000, r -> checkTokenBytes(text(r)));
    }

    /** Any chars, lone surrogates included. Only those are refused, and never silently. */
    @Test
    void encodeRefusesExactlyTheTextsWithUnpairedSurrogates() {
        RandomCases.run(5, 2000, r -> {
            String text = RandomCases.anyChars(r, 30);
            if (isWellFormed(text)) {
                assertThat(TOKENIZER.decode(TOKENIZER.encode(text))).isEqualTo(text);
            } else {
                assertThatThrownBy(() -> TOKENIZER.encode(text)).isInstanceOf(JlensException.class)
                        .hasMessageStartingWith("text has an unpaired surrogate U+");
            }
        });
    }

    private static void checkRoundTrip(String text) {
        int[] ids = TOKENIZER.encode(text);
        assertThat(TOKENIZER.decode(ids)).isEqualTo(text);
        assertThat(TOKENIZER.decodeSkippingSpecial(ids)).isEqualTo(text.replace("<|endoftext|>", ""));
    }

    private static void checkTokenBytes(String text) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : TOKENIZER.encode(text)) {
            bytes.writeBytes(TOKENIZER.tokenBytes(id));
        }
        assertThat(bytes.toByteArray()).isEqualTo(text.getBytes(StandardCharsets.UTF_8));
    }

    private static final List<String> WHITESPACE = List.of(" ", " ", "  ", "\n", "\n\n", "\t", "\r\n", "\u000b", "\f",
            "\u0085", "\u00a0", "\u1680", "\u2000", "\u2028", "\u2029", "\u202f", "\u3000", "\u001c", "\u180e",
            "\u200b", "\ufeff");
    private static final List<String> WORDS = List.of("the", " the", "Hello", " world", "'s", "'t", "'re", "'ve", "'m",
            "'ll", "'d", "'S", "don't", "123", " 4567", "3.14", "é", "e\u0301", "\u0661\u0662", "\u00b2",
            "日本語", "😀", "👨‍👩‍👧", "🇯🇵", "𝔘𝔫𝔦");
    private static final List<String> SPECIAL = List.of("<|endoftext|>", "<|endoftext|>", "<|endoftext", "|>", "<|");

    /**
     * Text built from pieces that stress GPT-2's rules: any code point (supplementary ones included), the
     * whitespace characters whose class matters, contractions, digits, marks and the special token, whole or cut.
     */
    private static String text(Random r) {
        return RandomCases.pieces(r, 40,
                RandomCases::anyCodePoint, RandomCases::anyCodePoint, RandomCases::anyCodePoint, RandomCases::anyCodePoint,
                RandomCases::supplementaryCodePoint,
                x -> RandomCases.oneOf(x, WHITESPACE), x -> RandomCases.oneOf(x, WHITESPACE),
                x -> RandomCases.oneOf(x, WHITESPACE), x -> RandomCases.oneOf(x, WHITESPACE),
                x -> RandomCases.ascii(x, 6), x -> RandomCases.ascii(x, 6), x -> RandomCases.ascii(x, 6), x -> RandomCases.ascii(x, 6),
                x -> RandomCases.oneOf(x, WORDS), x -> RandomCases.oneOf(x, WORDS), x -> RandomCases.oneOf(x, WORDS), x -> RandomCases.oneOf(x, WORDS),
                x -> RandomCases.oneOf(x, SPECIAL));
    }

    private static boolean isWellFormed(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
