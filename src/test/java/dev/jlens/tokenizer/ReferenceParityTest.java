package dev.jlens.tokenizer;

import static dev.jlens.tokenizer.TestFixtures.ints;
import static dev.jlens.tokenizer.TestFixtures.strTokens;
import static dev.jlens.tokenizer.TestFixtures.strings;
import static dev.jlens.tokenizer.TestFixtures.withBos;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * Ids and token strings equal to what TransformerLens (through Hugging Face's GPT-2 tokenizer) produced for the
 * fixtures, for every way of loading: A from vocab.json + merges.txt, B from tokenizer.json alone, and A read
 * back from the tokenizer cache.
 */
class ReferenceParityTest {
    record Fixture(String name, Gpt2Tokenizer tokenizer, JsonNode reference) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Fixture> fixtures() {
        return Stream.of(
                new Fixture("A (vocab.json + merges.txt)", TestFixtures.tokenizerA(),
                        TestFixtures.readJson("fixtures/tiny-gpt2-a-ref/reference.json")),
                new Fixture("B (tokenizer.json alone)", TestFixtures.tokenizerB(),
                        TestFixtures.readJson("fixtures/tiny-gpt2-b-ref/reference.json")),
                new Fixture("A (read back from the tokenizer cache)", TestFixtures.tokenizerAFromCache(),
                        TestFixtures.readJson("fixtures/tiny-gpt2-a-ref/reference.json")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void trickyStringsHaveTheReferenceIdsStrTokensAndDecoding(Fixture fixture) {
        Gpt2Tokenizer tokenizer = fixture.tokenizer();
        JsonNode cases = fixture.reference().get("tokenizer");
        assertThat(cases.size()).isEqualTo(16);
        SoftAssertions soft = new SoftAssertions();
        for (JsonNode c : cases) {
            String text = c.get("text").stringValue();
            int[] ids = tokenizer.encode(text);
            soft.assertThat(ids).as("ids of %s", text).containsExactly(ints(c.get("ids")));
            soft.assertThat(strTokens(tokenizer, ids)).as("str_tokens of %s", text)
                    .containsExactlyElementsOf(strings(c.get("str_tokens")));
            soft.assertThat(tokenizer.decode(ids)).as("decode of %s", text).isEqualTo(c.get("decoded").stringValue());
        }
        soft.assertAll();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void testPromptTokensAreBosPlusEncode(Fixture fixture) {
        Gpt2Tokenizer tokenizer = fixture.tokenizer();
        JsonNode cases = fixture.reference().get("test_prompt");
        assertThat(cases.size()).isGreaterThan(10);
        SoftAssertions soft = new SoftAssertions();
        for (JsonNode c : cases) {
            String prompt = c.get("prompt").stringValue();
            int[] tokens = withBos(tokenizer, tokenizer.encode(prompt));
            soft.assertThat(tokens).as("tokens of %s", prompt).containsExactly(ints(c.get("tokens")));
            soft.assertThat(strTokens(tokenizer, tokens)).as("str_tokens of %s", prompt)
                    .containsExactlyElementsOf(strings(c.get("str_tokens")));
        }
        soft.assertAll();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void twoSpacePebblesStrTokens(Fixture fixture) {
        Gpt2Tokenizer tokenizer = fixture.tokenizer();
        int[] tokens = withBos(tokenizer, tokenizer.encode("  Pebbles"));
        assertThat(strTokens(tokenizer, tokens))
                .containsExactlyElementsOf(strings(fixture.reference().get("str_tokens_two_space_pebbles")))
                .containsExactly("<|endoftext|>", " ", " Peb", "bles");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void raggedRowsAreBosPlusEncodeBeforeThePadding(Fixture fixture) {
        Gpt2Tokenizer tokenizer = fixture.tokenizer();
        // fixtures/README.md: ragged_tokens = to_tokens(["Hello", "Hello world, how are you today?"]), right-padded.
        List<String> prompts = List.of("Hello", "Hello world, how are you today?");
        JsonNode rows = fixture.reference().get("ragged_tokens");
        assertThat(fixture.reference().get("ragged_padding_side").stringValue()).isEqualTo("right");
        assertThat(rows.size()).isEqualTo(prompts.size());
        for (int i = 0; i < prompts.size(); i++) {
            int[] expected = withoutTrailingPadding(ints(rows.get(i)), tokenizer.endOfTextId());
            assertThat(withBos(tokenizer, tokenizer.encode(prompts.get(i)))).as(prompts.get(i))
                    .containsExactly(expected);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void experimentCasesTokensAndAnswerTokens(Fixture fixture) {
        Gpt2Tokenizer tokenizer = fixture.tokenizer();
        SoftAssertions soft = new SoftAssertions();
        JsonNode cases = fixture.reference().get("cases");
        for (String name : cases.propertyNames()) {
            JsonNode c = cases.get(name);
            checkPrompts(soft, tokenizer, name, c.get("prompts"), c.get("tokens"));
            checkPrompts(soft, tokenizer, name, c.get("corrupted_prompts"), c.get("corrupted_tokens"));
            for (int i = 0; i < c.get("answers").size(); i++) {
                JsonNode answers = c.get("answers").get(i);
                for (int j = 0; j < answers.size(); j++) {
                    String answer = answers.get(j).stringValue();
                    soft.assertThat(tokenizer.encode(answer)).as("%s answer %s", name, answer)
                            .containsExactly(c.get("answer_tokens").get(i).get(j).intValue());
                }
            }
        }
        soft.assertAll();
    }

    private static void checkPrompts(SoftAssertions soft, Gpt2Tokenizer tokenizer, String name, JsonNode prompts,
            JsonNode tokens) {
        for (int i = 0; i < prompts.size(); i++) {
            String prompt = prompts.get(i).stringValue();
            int[] expected = withoutTrailingPadding(ints(tokens.get(i)), tokenizer.endOfTextId());
            soft.assertThat(withBos(tokenizer, tokenizer.encode(prompt))).as("%s: %s", name, prompt)
                    .containsExactly(expected);
        }
    }

    /** Ids from Hugging Face tokenizers (Rust) itself for tricky characters and random mixes; see the file's "about". */
    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void huggingFaceGoldenCases(Fixture fixture) {
        Gpt2Tokenizer tokenizer = fixture.tokenizer();
        JsonNode cases = TestFixtures.readJson("tokenizer/hf-tokenizers-golden.json").get("cases");
        assertThat(cases.size()).isEqualTo(400);
        SoftAssertions soft = new SoftAssertions();
        for (JsonNode c : cases) {
            String text = c.get("text").stringValue();
            int[] ids = tokenizer.encode(text);
            soft.assertThat(ids).as("ids of %s", dev.jlens.io.Json.brief(text)).containsExactly(ints(c.get("ids")));
            soft.assertThat(tokenizer.decode(ids)).as("decode of %s", dev.jlens.io.Json.brief(text)).isEqualTo(text);
        }
        soft.assertAll();
    }

    private static int[] withoutTrailingPadding(int[] row, int pad) {
        int end = row.length;
        while (end > 1 && row[end - 1] == pad) {
            end--;
        }
        return Arrays.copyOf(row, end);
    }
}
