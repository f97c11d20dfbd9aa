package dev.jlens.dataset;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class IoiDatasetTest {
    @Test
    void templatesNamesAndNounsAreTransformerLensDefaults() {
        // transformer_lens/evals.py, IOIDataset.get_default_templates / get_default_names / get_default_nouns
        assertThat(IoiDataset.TEMPLATES).containsExactly(
                "[A] and [B] went to the [LOCATION] to buy [OBJECT]. [B] handed the [OBJECT] to [A]",
                "Then, [B] and [A] went to the [LOCATION]. [B] gave the [OBJECT] to [A]");
        assertThat(IoiDataset.NAMES).containsExactly("John", "Mary");
        assertThat(IoiDataset.NOUNS).containsExactly(Map.entry("LOCATION", List.of("store", "market")),
                Map.entry("OBJECT", List.of("milk", "eggs", "bread")));
    }

    @Test
    void eachPromptIsItsTemplateUpToTheIndirectObject() {
        List<IoiDataset.Sample> samples = IoiDataset.generate(200, 7, false);
        assertThat(samples).hasSize(200);
        for (IoiDataset.Sample s : samples) {
            String io = s.correct().substring(1), subject = s.incorrect().substring(1);
            assertThat(s.correct()).startsWith(" ");
            assertThat(io).isNotEqualTo(subject).isIn(IoiDataset.NAMES);
            // filling the template's names, then matching its nouns: the text with the answer is the template filled
            String full = s.prompt() + s.correct();
            String pattern = java.util.regex.Pattern.quote(s.template().replace("[A]", io).replace("[B]", subject))
                    .replace("[LOCATION]", "\\E(store|market)\\Q").replace("[OBJECT]", "\\E(milk|eggs|bread)\\Q");
            assertThat(full).matches(pattern);
            // the same [OBJECT] word in both places of the first template
            assertThat(s.order()).isEqualTo(s.template().startsWith("[A]") ? "ABBA" : "BABA");
            // the seed's corruption: the last clause's subject becomes the indirect object, nothing else changes
            int last = s.prompt().lastIndexOf(subject);
            assertThat(s.corruptedPrompt()).isEqualTo(s.prompt().substring(0, last) + io + s.prompt().substring(last + subject.length()));
        }
        assertThat(samples).extracting(IoiDataset.Sample::order).contains("ABBA", "BABA");
        assertThat(samples).extracting(IoiDataset.Sample::correct).contains(" John", " Mary");
    }

    @Test
    void aSeedGivesTheSameRowsAndSymmetricGivesBothOrders() {
        assertThat(IoiDataset.generate(50, 3, false)).isEqualTo(IoiDataset.generate(50, 3, false)).isNotEqualTo(IoiDataset.generate(50, 4, false));
        List<IoiDataset.Sample> pairs = IoiDataset.generate(10, 1, true);
        assertThat(pairs).hasSize(10);
        for (int i = 0; i < 10; i += 2) {
            assertThat(pairs.get(i + 1).correct()).isEqualTo(pairs.get(i).incorrect());
            assertThat(pairs.get(i + 1).template()).isEqualTo(pairs.get(i).template());
        }
    }

    @Test
    void inductionRowsAreRandomTokensRepeated() {
        List<int[]> rows = InductionDataset.generate(5, 30, 2);
        assertThat(rows).hasSize(5);
        for (int[] r : rows) {
            assertThat(r).hasSize(60);
            for (int p = 0; p < 30; p++) {
                assertThat(r[p]).isEqualTo(r[p + 30]).isBetween(100, 19999);
            }
        }
        assertThat(rows.get(0)).isNotEqualTo(rows.get(1));
    }
}
