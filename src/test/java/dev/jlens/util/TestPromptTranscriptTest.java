package dev.jlens.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The transcripts that TransformerLens 3.5.1 printed for {@code utils.test_prompt} on the fixture models
 * ({@code reference.json}, keys {@code test_prompt} and {@code test_prompt_extra}) are rebuilt here from the
 * markup and the values that {@code test_prompt} formats, using only this package: every {@code rprint}
 * block ("Performance on answer token:" with its Rank lines, and the final "Ranks of the answer tokens:"
 * line) must come out of {@link RichText#render} byte for byte, the {@code print}ed token lists out of
 * {@link PyRepr}, and the top-k logits out of {@link PyFormat}.
 *
 * <p>The answer's tokens are taken from the case's {@code answer} (a space prepended, split before each
 * space: every answer in these fixtures is words of one token each; the "Tokenized answer" line checks it).
 * The rank, logit and probability of each Rank line are read back from that line, since the reference does
 * not hold them separately; the token, the markup and everything around the numbers are not.
 */
class TestPromptTranscriptTest {

    private static final Pattern RANK_LINE =
        Pattern.compile("Rank: (\\d+) +Logit: +(-?[0-9.]+) Prob: +([0-9.]+)% Token: \\|(.*)\\|");
    private static final Pattern TOP_LINE = Pattern.compile("Top (\\d+)th token\\. Logit: +(-?[0-9.]+) Prob: .*", Pattern.DOTALL);

    record Case(String name, JsonNode node) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() throws IOException {
        List<Case> cases = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String model : List.of("tiny-gpt2-a", "tiny-gpt2-b")) {
            try (InputStream in = TestPromptTranscriptTest.class.getResourceAsStream(
                "/fixtures/" + model + "-ref/reference.json")) {
                JsonNode root = json.readTree(in);
                for (String key : List.of("test_prompt", "test_prompt_extra")) {
                    JsonNode list = root.get(key);
                    for (int i = 0; i < list.size(); i++) {
                        cases.add(new Case(model + " " + key + "[" + i + "]", list.get(i)));
                    }
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void transcriptIsRebuiltFromItsMarkup(Case c) {
        JsonNode node = c.node();
        List<String> lines = new ArrayList<>(Arrays.asList(node.get("output").asString().split("\n", -1)));
        assertThat(lines.removeLast()).as("output ends with a newline").isEmpty();

        List<String> answers = new ArrayList<>();
        if (node.get("answer").isArray()) {
            node.get("answer").forEach(a -> answers.add(a.asString()));
        } else {
            answers.add(node.get("answer").asString());
        }
        boolean multiple = answers.size() > 1;
        List<List<String>> answerTokens = new ArrayList<>();
        for (String answer : answers) {
            String spaced = answer.startsWith(" ") ? answer : " " + answer;
            answerTokens.add(List.of(spaced.split("(?= )")));
        }

        int at = 0;
        if (node.has("str_tokens")) {
            List<String> prompt = new ArrayList<>();
            node.get("str_tokens").forEach(t -> prompt.add(t.asString()));
            assertThat(lines.get(at)).isEqualTo("Tokenized prompt: " + PyRepr.list(prompt));
        } else {
            assertThat(lines.get(at)).startsWith("Tokenized prompt: [");
        }
        at++;
        assertThat(lines.get(at++)).isEqualTo(multiple
            ? "Tokenized answers: " + PyRepr.list(answerTokens)
            : "Tokenized answer: " + PyRepr.list(answerTokens.getFirst()));

        int positions = multiple ? 1 : answerTokens.getFirst().size();
        List<Object> ranks = new ArrayList<>();
        for (int position = 0; position < positions; position++) {
            // One rprint: the header and one Rank line per answer.
            StringBuilder markup = new StringBuilder("Performance on answer token" + (multiple ? "s" : "") + ":");
            StringBuilder printed = new StringBuilder(lines.get(at++)).append('\n');
            List<PyRepr.Tuple> positionRanks = new ArrayList<>();
            for (int a = 0; a < answers.size(); a++) {
                String line = lines.get(at++);
                printed.append(line).append('\n');
                Matcher m = RANK_LINE.matcher(line);
                assertThat(m.matches()).as("a Rank line: %s", line).isTrue();
                int rank = Integer.parseInt(m.group(1));
                double logit = Double.parseDouble(m.group(2));
                double prob = Double.parseDouble(m.group(3)) / 100.0;
                String token = multiple ? answerTokens.get(a).getFirst() : answerTokens.getFirst().get(position);
                markup.append("\n[b]Rank: ").append(PyFormat.leftAlign(rank, 8))
                    .append(" Logit: ").append(PyFormat.fixed(logit, 5, 2))
                    .append(" Prob: ").append(PyFormat.percent(prob, 6, 2))
                    .append(" Token: |").append(token).append("|[/b]");
                positionRanks.add(new PyRepr.Tuple(token, rank));
            }
            assertThat(RichText.render(markup.toString(), 80)).isEqualTo(printed.toString());
            if (multiple) {
                ranks.add(positionRanks);
            } else {
                ranks.add(positionRanks.getFirst());
            }

            // Ten print()ed top-k lines; at the first answer position they are the prompt's last-position logits.
            // A token may hold newlines (GPT-2 has "\n\n"), so a top-k line runs until the next known start.
            for (int i = 0; i < 10; i++) {
                String line = lines.get(at++);
                String next = i < 9 ? "Top " + (i + 1) + "th token. " : null;
                while (at < lines.size() && !(next != null ? lines.get(at).startsWith(next)
                    : lines.get(at).startsWith("Performance on answer token")
                        || lines.get(at).startsWith("Ranks of the answer tokens: "))) {
                    line += "\n" + lines.get(at++);
                }
                Matcher m = TOP_LINE.matcher(line);
                assertThat(m.matches()).as("a top-k line: %s", line).isTrue();
                assertThat(Integer.parseInt(m.group(1))).isEqualTo(i);
                if (position == 0 && node.has("top20_logits")) {
                    double logit = node.get("top20_logits").get(i).asDouble();
                    assertThat(PyFormat.fixed(logit, 5, 2)).isEqualTo(line.substring(
                        "Top 0th token. Logit: ".length(), "Top 0th token. Logit: ".length() + 5));
                }
            }
        }

        String ranksMarkup = "[b]Ranks of the answer tokens:[/b] " + PyRepr.list(ranks);
        assertThat(RichText.render(ranksMarkup, 80)).isEqualTo(lines.get(at++) + "\n");
        assertThat(at).as("every line accounted for").isEqualTo(lines.size());
    }
}
