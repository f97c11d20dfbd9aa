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
 * text back. The {@code exhaustive} variants (10^5 tries, or {@code -Dfuzz.tries}) run with {@code -Pexhaustive}.
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
        RandomCases.run(2, RandomCases.EXHAUSTIVE, r -> checkRoundTrip(text(r)));
    }

    @Test
    void tokenBytesConcatenateToTheUtf8OfTheText() {
        RandomCases.run(3, 2000, r -> checkTokenBytes(text(r)));
    }

    @Test
    @Tag("exhaustive")
    void tokenBytesConcatenateToTheUtf8OfTheTextExhaustive() {
        RandomCases.run(4, RandomCases.EXHAUSTIVE, r -> checkTokenBytes(text(r)));
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

    /** Texts the random ones may take long to draw, so that a regression on any of them fails on every run. */
    @Test
    void edgeTextsRoundTrip() {
        StringBuilder controls = new StringBuilder();
        for (char c = 0; c < 0x20; c++) controls.append(c);
        for (char c = 0x7f; c <= 0x9f; c++) controls.append(c);
        for (String text : List.of("", " ", " ".repeat(1000), "\n".repeat(300), "\t \t\n \r\n  \u3000\u00a0 x", "a" + " ".repeat(17) + "b",
                "word  \n\n  word   ", controls.toString(), "x\u0000y\u0000", "\u200d\u200c\u2060\ufeff\u00ad", "e\u0301\u0301\u0301",
                "\ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67 \ud83c\uddef\ud83c\uddf5 \ud83d\udc4d\ud83c\udffd", "\ufffe\uffff\ufdd0\ue000",
                "\udbff\udfff\ud800\udc00", "\ufffd", "<|endoftext|><|endoftext|>", " <|endoftext|> ", "'s'S'll 'LL", "\u0661\u0662\u00b2\u2460")) {
            checkRoundTrip(text);
            checkTokenBytes(text);
        }
    }

    /** Both fixture tokenizers: one read from vocab.json + merges.txt, the other from tokenizer.json alone. */
    private static void checkRoundTrip(String text) {
        for (Gpt2Tokenizer tokenizer : List.of(TOKENIZER, TestFixtures.tokenizerB())) {
            int[] ids = tokenizer.encode(text);
            assertThat(tokenizer.decode(ids)).isEqualTo(text);
            assertThat(tokenizer.decodeSkippingSpecial(ids)).isEqualTo(text.replace("<|endoftext|>", ""));
        }
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

    /** Control characters (C0, DEL, C1), format characters, noncharacters and private use: all valid text. */
    private static String oddCharacter(Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> Character.toString(r.nextInt(0x20));
            case 1 -> Character.toString(0x7f + r.nextInt(0x21));
            case 2 -> RandomCases.oneOf(r, List.of("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u061c", "\u202e"));
            default -> RandomCases.oneOf(r, List.of("\ufffe", "\uffff", "\ufdd0", "\ue000", "\uf8ff", "\udbff\udfff", "\ud83f\udffe", "\ufffd"));
        };
    }

    /** A run of one whitespace character, or of several, up to 64 long: GPT-2 splits runs before their last space. */
    private static String whitespaceRun(Random r) {
        int length = 2 + r.nextInt(63);
        if (r.nextBoolean()) return RandomCases.oneOf(r, WHITESPACE).repeat(length);
        StringBuilder run = new StringBuilder();
        for (int i = 0; i < length; i++) run.append(RandomCases.oneOf(r, WHITESPACE));
        return run.toString();
    }

    /**
     * Text built from pieces that stress GPT-2's rules: any code point (supplementary ones included), control and
     * other odd characters, the whitespace characters whose class matters, alone and in runs, contractions, digits,
     * marks and the special token, whole or cut.
     */
    private static String text(Random r) {
        return RandomCases.pieces(r, 40, RoundTripPropertiesTest::oddCharacter, RoundTripPropertiesTest::whitespaceRun,
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
