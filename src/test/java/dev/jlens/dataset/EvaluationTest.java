package dev.jlens.dataset;

import dev.jlens.model.HookedTransformer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class EvaluationTest {
    private static final HookedTransformer MODEL = HookedTransformer.fromPretrained("src/test/resources/fixtures/tiny-gpt2-a");

    @Test
    void raggedPromptsBatchedEqualTheSamePromptsRunAlone() {
        List<PromptRow> rows = new ArrayList<>();
        for (IoiDataset.Sample s : IoiDataset.generate(8, 11, false)) {
            rows.add(new PromptRow(rows.size(), "row " + rows.size(), s.prompt(), s.correct(), s.incorrect(), null, Map.of()));
        }
        assertThat(rows.stream().map(r -> MODEL.tokenization().encode(r.prompt(), true).length).distinct().count())
                .as("prompts of different lengths").isGreaterThan(1);
        BatchFunction<PromptRow, Evaluation.Sums> f = Evaluation.logitDiff(MODEL, true);
        List<Evaluation.Sums> batched = f.apply(rows);
        for (int i = 0; i < rows.size(); i++) {
            Evaluation.Sums alone = f.apply(List.of(rows.get(i))).getFirst();
            // the fixtures' tolerance: float32 sums in another order (a batch's products are blocked differently)
            assertThat(batched.get(i).sum()).as("prompt " + i).isCloseTo(alone.sum(), org.assertj.core.data.Offset.offset(1e-4 + 1e-4 * Math.abs(alone.sum())));
            assertThat(batched.get(i).right()).isEqualTo(alone.right());
        }
    }
}
