package dev.jlens.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.stream.Stream;
import dev.jlens.testing.RandomCases;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/** Replacement decoding equal to Python's {@code bytes.decode("utf-8", errors="replace")}. */
class Utf8ReplacingTest {
    private static final String R = "\uFFFD";

    /** Expected values printed by Python 3.11. */
    static Stream<Arguments> boundaryCases() {
        return Stream.of(
                Arguments.of("truncated 2-byte", "c3", R),
                Arguments.of("truncated 2-byte, then ASCII", "c3 41", R + "A"),
                Arguments.of("truncated 3-byte", "e2 82", R),
                Arguments.of("truncated 3-byte, then ASCII", "e2 82 41", R + "A"),
                Arguments.of("truncated 4-byte", "f0 9f 98", R),
                Arguments.of("truncated 4-byte, then ASCII", "f0 9f 98 41", R + "A"),
                Arguments.of("4-byte cut after 2, ASCII, stray continuation", "f0 9f 41 98", R + "A" + R),
                Arguments.of("lone continuation", "80", R),
                Arguments.of("two lone continuations", "80 80", R + R),
                Arguments.of("lone continuation, then ASCII", "bf 41", R + "A"),
                Arguments.of("overlong C0", "c0 80", R + R),
                Arguments.of("overlong C1", "c1 bf", R + R),
                Arguments.of("overlong E0 80", "e0 80 80", R + R + R),
                Arguments.of("overlong E0 9F", "e0 9f bf", R + R + R),
                Arguments.of("smallest 3-byte", "e0 a0 80", "\u0800"),
                Arguments.of("surrogate ED A0 80", "ed a0 80", R + R + R),
                Arguments.of("surrogate ED BF BF", "ed bf bf", R + R + R),
                Arguments.of("last before surrogates", "ed 9f bf", "\uD7FF"),
                Arguments.of("overlong F0 80", "f0 80 80 80", R + R + R + R),
                Arguments.of("overlong F0 8F", "f0 8f bf bf", R + R + R + R),
                Arguments.of("smallest 4-byte", "f0 90 80 80", "\uD800\uDC00"),
                Arguments.of("past U+10FFFF: F4 90", "f4 90 80 80", R + R + R + R),
                Arguments.of("U+10FFFF", "f4 8f bf bf", "\uDBFF\uDFFF"),
                Arguments.of("F5 lead", "f5 80 80 80", R + R + R + R),
                Arguments.of("FF", "ff", R),
                Arguments.of("FE FF", "fe ff", R + R),
                Arguments.of("bad second byte is read again", "e2 28 a1", R + "(" + R),
                Arguments.of("Markus Kuhn-style mix", "f1 80 80 e1 80 c2 62 80 63 80 bf 64",
                        R + R + R + "b" + R + "c" + R + R + "d"),
                Arguments.of("valid mix", "41 c3 a9 e2 82 ac f0 9f 98 80", "Aé€😀"),
                Arguments.of("empty", "", ""));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("boundaryCases")
    void boundaryCasesMatchPython(String label, String hex, String expected) {
        assertThat(Utf8Replacing.decode(bytes(hex))).isEqualTo(expected);
    }

    @Test
    void randomByteStringsMatchPython() {
        JsonNode cases = TestFixtures.readJson("tokenizer/utf8-replace-golden.json").get("cases");
        assertThat(cases.size()).isEqualTo(400);
        SoftAssertions soft = new SoftAssertions();
        for (JsonNode c : cases) {
            String hex = c.get("bytes").stringValue();
            soft.assertThat(Utf8Replacing.decode(bytes(hex))).as(hex).isEqualTo(c.get("decoded").stringValue());
        }
        soft.assertAll();
    }

    @Test
    void decodesAGivenRangeOnly() {
        byte[] bytes = bytes("41 e2 82 ac 42");
        assertThat(Utf8Replacing.decode(bytes, 1, 4)).isEqualTo("€");
        assertThat(Utf8Replacing.decode(bytes, 1, 3)).isEqualTo(R);
    }

    @Test
    void wellFormedUtf8DecodesToTheOriginalText() {
        RandomCases.run(31, 1000, r -> {
            String text = wellFormedPart(RandomCases.anyChars(r, 40) + RandomCases.supplementaryCodePoint(r));
            assertThat(Utf8Replacing.decode(text.getBytes(StandardCharsets.UTF_8))).isEqualTo(text);
        });
    }

    @Test
    void anyBytesDecodeToWellFormedTextWithoutThrowing() {
        RandomCases.run(32, 1000, r -> anyBytesDecodeToWellFormedText(RandomCases.bytes(r, 60)));
    }

    private static void anyBytesDecodeToWellFormedText(byte[] bytes) {
        String decoded = Utf8Replacing.decode(bytes);
        assertThat(decoded.codePoints().filter(c -> c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE).count()).isZero();
        // Replacement only grows the text in bytes: U+FFFD is 3 bytes for at most 3 bytes of input.
        assertThat(decoded.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(3 * bytes.length);
    }

    private static String wellFormedPart(String s) {
        StringBuilder out = new StringBuilder();
        s.codePoints().filter(c -> !Character.isSurrogate((char) c) || c > 0xFFFF).forEach(out::appendCodePoint);
        return out.toString();
    }

    private static byte[] bytes(String hex) {
        return HexFormat.ofDelimiter(" ").parseHex(hex);
    }
}
