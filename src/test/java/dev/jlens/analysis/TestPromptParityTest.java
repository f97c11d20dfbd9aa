package dev.jlens.analysis;

import dev.jlens.Fixtures;
import dev.jlens.JlensException;
import dev.jlens.model.HookedTransformer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** test_prompt transcripts, byte for byte, for the seed's 18 prompts and 3 edge cases on both fixtures. */
class TestPromptParityTest {
    static List<String> fixtures() {
        return Fixtures.names();
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void seedPromptsPrintExactlyAsTransformerLens(String which) {
        HookedTransformer model = Fixtures.model(which);
        JsonNode cases = Fixtures.reference(which).get("test_prompt");
        assertThat(cases.size()).isEqualTo(18);
        for (JsonNode c : cases) {
            String out = new TestPrompt(model).consoleWidth(80).run(c.get("prompt").asString(), c.get("answer").asString());
            assertThat(out).as("transcript of %s", c.get("prompt").asString()).isEqualTo(c.get("output").asString());
        }
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void edgeCasesPrintExactlyAsTransformerLens(String which) {
        HookedTransformer model = Fixtures.model(which);
        JsonNode cases = Fixtures.reference(which).get("test_prompt_extra");
        assertThat(cases.size()).isEqualTo(3);
        for (JsonNode c : cases) {
            JsonNode answer = c.get("answer");
            List<String> answers = answer.isArray() ? Fixtures.strings(answer) : List.of(answer.asString());
            String out = new TestPrompt(model).consoleWidth(80).run(c.get("prompt").asString(), answers);
            assertThat(out).as("transcript of %s / %s", c.get("prompt"), answer).isEqualTo(c.get("output").asString());
        }
    }

    @Test
    void toSingleTokenOfTwoTokensFailsWithTransformerLensMessage() {
        String expected = Fixtures.reference("a").get("to_single_token_multi").asString();
        assertThatThrownBy(() -> Fixtures.model("a").toSingleToken(" Pebbles"))
                .isInstanceOf(JlensException.class)
                .hasMessage(expected.substring("AssertionError: ".length()));
    }
}
