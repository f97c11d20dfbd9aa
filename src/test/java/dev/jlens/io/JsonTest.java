package dev.jlens.io;

import dev.jlens.testing.RandomCases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.json.JsonMapper;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** jlens' own JSON against Jackson, strict as jlens configured it before: the same documents in, the same text out. */
class JsonTest {
    private static final int DEPTH = 16;
    private static final JsonMapper JACKSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(DEPTH).build()).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    @Test
    void writesWhatJacksonWrites() {
        String doc = "{\"a\":[1,-2,3.5,1.0E-5,-0.0,12345678901234567890],\"s\":\"q\\\"b\\\\s\\n\\u0001\\u001f\\b\\f\\t\\/é\u2028😀\","
                + "\"t\":true,\"f\":false,\"n\":null,\"o\":{},\"e\":[]}";
        assertThat(Json.parse(doc, DEPTH).toString()).isEqualTo(JACKSON.writeValueAsString(JACKSON.readTree(doc)));
    }

    @Test
    void floatsAsJacksonWritesThem() {
        RandomCases.run(71, 20_000, r -> {
            float v = switch (r.nextInt(4)) {
                case 0 -> Float.intBitsToFloat(r.nextInt());
                case 1 -> (float) r.nextGaussian();
                case 2 -> (float) (r.nextGaussian() * Math.pow(10, r.nextInt(40) - 20));
                default -> new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 0f, 1e7f, 1e-3f}[r.nextInt(7)];
            };
            String jackson = JACKSON.writeValueAsString(JACKSON.createArrayNode().add(v));
            assertThat("[" + Json.Num.of(v) + "]").as("float bits %08x", Float.floatToRawIntBits(v)).isEqualTo(jackson);
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "[1,]", "{\"a\":1,}", "[01]", "[1.]", "[.5]", "[-]", "[1e]", "[NaN]", "[Infinity]", "['a']",
            "{a:1}", "[\"\u0001\"]", "[\"\\x\"]", "[\"\\u12\"]", "[\"abc", "{\"a\" 1}", "[1 2]", "[1] [2]", "{\"a\":1,\"a\":2}",
            "[tru]", "[truex]", "nul", "[1]x", "{\"a\":[", "\uFEFF[1]", "[+1]", "[1,,2]", "{,}"})
    void refusesWhatIsNotStrictJson(String text) {
        assertThatThrownBy(() -> Json.parse(text, DEPTH)).isInstanceOf(Json.SyntaxError.class).hasMessageContaining("line 1, column ");
    }

    @Test
    void messagesStayOnOneLine() {
        assertThatThrownBy(() -> Json.parse("{\"a\\nb\": 1, \"a\\nb\": 2}", DEPTH)).hasMessageStartingWith("Duplicate Object property \"a\\nb\"");
        assertThatThrownBy(() -> Json.parse("[\"\\\n\"]", DEPTH)).hasMessageStartingWith("Unrecognized character escape (U+000A after a backslash)");
    }

    @Test
    void nestingBeyondTheLimitIsRefused() {
        assertThat(Json.parse("[".repeat(DEPTH) + "]".repeat(DEPTH), DEPTH)).isInstanceOf(Json.Arr.class);
        assertThatThrownBy(() -> Json.parse("[".repeat(DEPTH + 1) + "]".repeat(DEPTH + 1), DEPTH))
                .hasMessageContaining("Document nesting depth (" + (DEPTH + 1) + ") exceeds the maximum allowed (" + DEPTH + ")");
    }

    @Test
    void numbersKeepTheirText() {
        Json.Arr a = (Json.Arr) Json.parse("[12345678901234567890, 7, 1E400, -5e-1]", DEPTH);
        assertThat(((Json.Num) a.get(0)).fitsLong()).isFalse();
        assertThat(((Json.Num) a.get(1)).asLong()).isEqualTo(7);
        assertThat(((Json.Num) a.get(2)).asDouble()).isInfinite();
        assertThat(((Json.Num) a.get(3)).isIntegral()).isFalse();
        assertThat(((Json.Num) a.get(3)).asDouble()).isEqualTo(-0.5);
    }

    /** Random edits of a valid document: accepted exactly when Jackson accepts, and then the same values. */
    @Test
    void agreesWithJacksonOnMangledDocuments() {
        String base = "{\"prompts\": [\"a b\", \"\\u00e9\\n\"], \"answers\": [[\" x\", \" y\"]], \"n\": -12.5e+3, \"t\": [true, false, null], \"o\": {\"k\": {}}}";
        String alphabet = "{}[]\",:\\ 0123456789.-+eEtrufalsn\u0001\u00e9\n\r\t\u2028";
        RandomCases.run(72, 20_000, r -> {
            String text = mangle(base, alphabet, r);
            Object jackson;
            try {
                jackson = JACKSON.readTree(text);
            } catch (RuntimeException e) {
                jackson = null;
            }
            Object ours;
            try {
                ours = JACKSON.readTree(Json.parse(text, DEPTH).toString());  // numbers keep their text: compare values
            } catch (Json.SyntaxError e) {
                assertThat(e.getMessage()).as("one line, for text %s", text).doesNotContain("\n").doesNotContain("\r");
                ours = null;
            }
            if (text.isBlank()) jackson = null;  // Jackson reads nothing as a missing value, not as an error
            assertThat(ours).as("text %s", text).isEqualTo(jackson);
        });
    }

    @Test
    void briefShowsAValueAsJsonOnOneLineAndCutsItAt80Characters() {
        assertThat(Json.brief("resid_post")).isEqualTo("\"resid_post\"");
        assertThat(Json.brief("a\"b\\c\nd\u0001")).isEqualTo("\"a\\\"b\\\\c\\nd\\u0001\"");
        assertThat(Json.brief("del\u007f sep\u2028 para\u2029")).isEqualTo("\"del\\u007f sep\\u2028 para\\u2029\"");
        assertThat(Json.brief(Json.parse("[1, {\"a\": null}]", 8))).isEqualTo("[1,{\"a\":null}]");
        assertThat(Json.brief((Json) null)).isEqualTo("null");
        String exactly = "x".repeat(78);
        assertThat(Json.brief(exactly)).isEqualTo("\"" + exactly + "\"");
        assertThat(Json.brief(exactly + "y")).isEqualTo("\"" + exactly + "y...");
    }

    @Test
    void parsingTheTextOfANamedSourceRefusesBadJsonWithOneLineNamingIt() {
        assertThat(Json.parse("E.json", "{\"a\": [1]}", 8).toString()).isEqualTo("{\"a\":[1]}");
        assertThatThrownBy(() -> Json.parse("E.json", "{\"a\": [1}", 8)).isInstanceOf(dev.jlens.JlensException.class)
                .hasMessage("E.json: not valid JSON (Unexpected character ('}'): expected ',' or ']' at line 1, column 10)");
        assertThatThrownBy(() -> Json.parse("E.json", "[[[1]]]", 2)).hasMessageStartingWith("E.json: not valid JSON (Document nesting depth (3)");
        assertThatThrownBy(() -> Json.parse("E.json", "", 2)).hasMessageStartingWith("E.json: not valid JSON (");
    }

    private static String mangle(String base, String alphabet, Random r) {
        StringBuilder b = new StringBuilder(base);
        for (int edits = 1 + r.nextInt(3); edits > 0 && !b.isEmpty(); edits--) {
            int at = r.nextInt(b.length());
            switch (r.nextInt(3)) {
                case 0 -> b.deleteCharAt(at);
                case 1 -> b.insert(at, alphabet.charAt(r.nextInt(alphabet.length())));
                default -> b.setCharAt(at, alphabet.charAt(r.nextInt(alphabet.length())));
            }
        }
        return b.toString();
    }
}
