package dev.jlens.model;

import dev.jlens.Fixtures;
import dev.jlens.tensor.IntTensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** TransformerLens' tokenization methods on the model, against the fixtures. */
class TokenizationTest {
    static List<String> fixtures() {
        return Fixtures.names();
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void toTokensAndStrTokensOfEverySeedPrompt(String which) {
        HookedTransformer model = Fixtures.model(which);
        for (JsonNode c : Fixtures.reference(which).get("test_prompt")) {
            String prompt = c.get("prompt").asString();
            IntTensor tokens = model.toTokens(prompt);
            assertThat(tokens.shape()).containsExactly(1, c.get("tokens").size());
            assertThat(tokens.row(0)).containsExactly(Fixtures.ints(c.get("tokens")));
            assertThat(model.toStrTokens(prompt)).containsExactlyElementsOf(Fixtures.strings(c.get("str_tokens")));
        }
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void tokenizerCasesWithoutBos(String which) {
        HookedTransformer model = Fixtures.model(which);
        for (JsonNode c : Fixtures.reference(which).get("tokenizer")) {
            String text = c.get("text").asString();
            assertThat(model.toTokens(text, false).row(0)).as(text).containsExactly(Fixtures.ints(c.get("ids")));
            assertThat(model.toStrTokens(text, false)).as(text).containsExactlyElementsOf(Fixtures.strings(c.get("str_tokens")));
            assertThat(model.toString(Fixtures.ints(c.get("ids")))).as(text).isEqualTo(c.get("decoded").asString());
        }
        assertThat(model.toStrTokens("  Pebbles")).containsExactlyElementsOf(Fixtures.strings(Fixtures.reference(which).get("str_tokens_two_space_pebbles")));
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void knownIdsAndSingleTokens(String which) {
        HookedTransformer model = Fixtures.model(which);
        assertThat(model.toTokens("Hello world!").row(0)).containsExactly(50256, 15496, 995, 0);
        assertThat(model.toStrTokens("Hello world!")).containsExactly("<|endoftext|>", "Hello", " world", "!");
        assertThat(model.toSingleToken(" the")).isEqualTo(262);
        assertThat(model.toSingleStrToken(198)).isEqualTo("\n");
    }
}
