package dev.jlens.dataset;

import dev.jlens.hooks.Hook;
import dev.jlens.hooks.HookFunction;
import dev.jlens.model.HookedTransformer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Prompts of different lengths in one batch: one padded forward pass (and one for the corrupted prompts), and each
 * prompt's row equal to the same prompt run alone within the fixtures' tolerance.
 */
class PaddedBatchTest {
    private static final HookedTransformer MODEL = HookedTransformer.fromPretrained("src/test/resources/fixtures/tiny-gpt2-a");

    /** IOI prompts of both templates and short ones, so lengths differ by several tokens; one without a corrupted prompt. */
    private static List<PromptRow> ragged() {
        List<PromptRow> rows = new ArrayList<>();
        for (IoiDataset.Sample s : IoiDataset.generate(4, 11, false)) {
            rows.add(new PromptRow(rows.size(), "d: line " + (rows.size() + 1), s.prompt(), s.correct(), s.incorrect(), s.corruptedPrompt(), Map.of("template", s.template())));
        }
        rows.add(new PromptRow(rows.size(), "d: line 5", "The cat sat on the", " mat", " dog", "The dog sat on the", Map.of("template", "short")));
        rows.add(new PromptRow(rows.size(), "d: line 6", "Hi", " there", " you", null, Map.of("template", "shortest")));
        return rows;
    }

    @Test
    void raggedPromptsBatchedEqualTheSamePromptsRunAlone() {
        List<PromptRow> rows = ragged();
        assertThat(rows.stream().map(r -> MODEL.tokenization().encode(r.prompt(), true).length).distinct().count()).as("lengths differ").isGreaterThan(2);
        for (boolean bos : List.of(true, false)) {
            AtomicInteger embeds = new AtomicInteger();
            HookedTransformer counted = MODEL.withHooks(Hook.of("hook_embed", HookFunction.reading((act, hook) -> embeds.incrementAndGet())));
            List<Map<String, Object>> batched = PromptAnalysisJob.on(counted, bos, List.of(), false).apply(rows);
            assertThat(embeds.get()).as("one padded pass for the prompts and one for the corrupted prompts").isEqualTo(2);

            PromptAnalysisJob alone = PromptAnalysisJob.on(MODEL, bos, List.of(), false);
            for (int i = 0; i < rows.size(); i++) {
                Map<String, Object> expected = alone.apply(List.of(rows.get(i))).getFirst(), actual = batched.get(i);
                assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
                for (String column : List.of("row", "prompt", "template", "corrupted_prompt")) assertThat(actual.get(column)).isEqualTo(expected.get(column));
                assertThat((int[]) actual.get("tokens")).isEqualTo((int[]) expected.get("tokens"));
                String what = "bos " + bos + ", row " + i + " ";
                assertClose(what + "logit_diff", new float[] {(Float) actual.get("logit_diff")}, new float[] {(Float) expected.get("logit_diff")});
                if (rows.get(i).corruptedPrompt() == null) {
                    assertThat(actual.get("corrupted_logit_diff")).isNull();
                } else {
                    assertClose(what + "corrupted_logit_diff", new float[] {(Float) actual.get("corrupted_logit_diff")}, new float[] {(Float) expected.get("corrupted_logit_diff")});
                }
                assertClose(what + "logit_lens", (float[]) actual.get("logit_lens"), (float[]) expected.get("logit_lens"));
                assertClose(what + "per_layer", (float[]) actual.get("per_layer"), (float[]) expected.get("per_layer"));
                float[][] heads = (float[][]) actual.get("per_head"), expectedHeads = (float[][]) expected.get("per_head");
                assertThat(heads.length).isEqualTo(expectedHeads.length);
                for (int l = 0; l < heads.length; l++) assertClose(what + "per_head[" + l + "]", heads[l], expectedHeads[l]);
            }
        }
    }

    @Test
    void aBadRowInABatchIsSkippedAloneOrStopsTheJob() {
        List<PromptRow> rows = new ArrayList<>(ragged());
        rows.add(2, new PromptRow(99, "d: line 99", "When Mary and John", " Johnathan Smith", " Mary", null, Map.of()));
        List<Map<String, Object>> out = PromptAnalysisJob.on(MODEL, true, List.of(), true).apply(rows);
        assertThat(out).hasSize(rows.size());
        assertThat(out.get(2)).containsOnlyKeys("row", "error").containsEntry("row", 99L);
        assertThat((String) out.get(2).get("error")).startsWith("d: line 99: answers[0][0]");
        assertThat(out.get(3)).containsEntry("row", 2L).containsKey("logit_diff");
        assertThatThrownBy(() -> PromptAnalysisJob.on(MODEL, true, List.of(), false).apply(rows)).isInstanceOf(dev.jlens.JlensException.class)
                .hasMessageStartingWith("d: line 99: answers[0][0]");
    }

    /** |a - b| <= 1e-4 + 1e-4 * |b|, the fixtures' tolerance for analysis numbers. */
    private static void assertClose(String what, float[] actual, float[] expected) {
        assertThat(actual).as(what).hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++) {
            assertThat((double) Math.abs(actual[i] - expected[i])).as("%s[%d]: %s vs %s", what, i, actual[i], expected[i])
                    .isLessThanOrEqualTo(1e-4 + 1e-4 * Math.abs(expected[i]));
        }
    }
}
