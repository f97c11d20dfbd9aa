package dev.jlens.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jlens.JlensException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.StringLength;

/**
 * Encoding loses nothing: for any well-formed text, the tokens' bytes are the text's UTF-8 and decoding gives the
 * text back. The {@code exhaustive} variant (100,000 tries) runs with {@code -Pexhaustive}.
 */
class RoundTripPropertiesTest {
    private static final Gpt2Tokenizer TOKENIZER = TestFixtures.tokenizerA();

    @Property(tries = 2000)
    void decodeOfEncodeIsTheText(@ForAll("texts") String text) {
        checkRoundTrip(text);
    }

    @Property(tries = 100_000)
    @Tag("exhaustive")
    void decodeOfEncodeIsTheTextExhaustive(@ForAll("texts") String text) {
        checkRoundTrip(text);
    }

    @Property(tries = 2000)
    void tokenBytesConcatenateToTheUtf8OfTheText(@ForAll("texts") String text) {
        checkTokenBytes(text);
    }

    @Property(tries = 100_000)
    @Tag("exhaustive")
    void tokenBytesConcatenateToTheUtf8OfTheTextExhaustive(@ForAll("texts") String text) {
        checkTokenBytes(text);
    }

    /** jqwik's own strings: any chars, lone surrogates included. Only those are refused, and never silently. */
    @Property(tries = 2000)
    void encodeRefusesExactlyTheTextsWithUnpairedSurrogates(@ForAll @StringLength(max = 30) String text) {
        if (isWellFormed(text)) {
            assertThat(TOKENIZER.decode(TOKENIZER.encode(text))).isEqualTo(text);
        } else {
            assertThatThrownBy(() -> TOKENIZER.encode(text)).isInstanceOf(JlensException.class)
                    .hasMessageStartingWith("text has an unpaired surrogate U+");
        }
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

    /**
     * Text built from pieces that stress GPT-2's rules: any code point (supplementary ones included), the
     * whitespace characters whose class matters, contractions, digits, marks and the special token, whole or cut.
     */
    @Provide
    Arbitrary<String> texts() {
        Arbitrary<String> anyCodePoint = Arbitraries.integers().between(0, Character.MAX_CODE_POINT)
                .filter(c -> c < Character.MIN_SURROGATE || c > Character.MAX_SURROGATE)
                .map(Character::toString);
        Arbitrary<String> supplementary = Arbitraries.integers().between(0x10000, Character.MAX_CODE_POINT)
                .map(Character::toString);
        Arbitrary<String> whitespace = Arbitraries.of(" ", " ", "  ", "\n", "\n\n", "\t", "\r\n", "\u000b", "\f",
                "\u0085", "\u00a0", "\u1680", "\u2000", "\u2028", "\u2029", "\u202f", "\u3000", "\u001c", "\u180e",
                "\u200b", "\ufeff");
        Arbitrary<String> ascii = Arbitraries.strings().withCharRange(' ', '~').ofMinLength(1).ofMaxLength(6);
        Arbitrary<String> words = Arbitraries.of("the", " the", "Hello", " world", "'s", "'t", "'re", "'ve", "'m",
                "'ll", "'d", "'S", "don't", "123", " 4567", "3.14", "é", "e\u0301", "\u0661\u0662", "\u00b2",
                "日本語", "😀", "👨‍👩‍👧", "🇯🇵", "𝔘𝔫𝔦");
        Arbitrary<String> special = Arbitraries.of("<|endoftext|>", "<|endoftext|>", "<|endoftext", "|>", "<|");
        Arbitrary<String> piece = Arbitraries.frequencyOf(
                Tuple.of(4, anyCodePoint), Tuple.of(1, supplementary), Tuple.of(4, whitespace), Tuple.of(4, ascii),
                Tuple.of(4, words), Tuple.of(1, special));
        return piece.list().ofMaxSize(40).map(pieces -> String.join("", pieces));
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
