package dev.jlens.experiment;

import dev.jlens.patching.PatchKind;

import dev.jlens.Fixtures;
import dev.jlens.model.HookedTransformer;
import dev.jlens.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static dev.jlens.Fixtures.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seed's whole workflow for each reference case (pets_sentence_swap, pets_word_swap, ioi, numbers) on
 * both fixtures: every key of {@code cases}, and all nine of TransformerLens' patching helpers with their shapes.
 */
class ExperimentAnalysisParityTest {
    private static final List<PatchKind> NINE = List.of(PatchKind.RESID_PRE, PatchKind.RESID_MID, PatchKind.ATTN_OUT, PatchKind.MLP_OUT,
            PatchKind.ATTN_HEAD_OUT_ALL_POS, PatchKind.ATTN_HEAD_OUT_BY_POS, PatchKind.ATTN_HEAD_PATTERN_ALL_POS,
            PatchKind.BLOCK_EVERY, PatchKind.ATTN_HEAD_ALL_POS_EVERY);

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String which : Fixtures.names()) {
            Fixtures.reference(which).get("cases").propertyNames().forEach(c -> out.add(Arguments.of(which, c)));
        }
        return out.stream();
    }

    static Experiment experimentOf(String which, String caseName, List<PatchKind> kinds) {
        JsonNode c = Fixtures.reference(which).get("cases").get(caseName);
        List<Experiment.AnswerPair> answers = new ArrayList<>();
        c.get("answers").forEach(a -> answers.add(new Experiment.AnswerPair(a.get(0).asString(), a.get(1).asString())));
        return new Experiment(caseName, null, true, Fixtures.strings(c.get("prompts")), answers,
                Fixtures.strings(c.get("corrupted_prompts")), kinds);
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("cases")
    void attributionInTheResultMatchesAutograd(String which, String caseName) {
        Experiment base = experimentOf(which, caseName, List.of());
        Experiment e = new Experiment(base.source(), null, true, base.prompts(), base.answers(), base.corruptedPrompts(), List.of(), NINE);
        AnalysisResult r = new ExperimentAnalysis(Fixtures.model(which)).run(e);
        assertThat(r.attribution().keySet()).containsExactlyElementsOf(NINE.stream().map(PatchKind::id).toList());
        try (dev.jlens.io.Checkpoint ref = dev.jlens.io.Checkpoint.open(Fixtures.root().resolve("tiny-gpt2-" + which + "-ref/grad-reference.safetensors"))) {
            for (PatchKind kind : NINE) {
                String name = caseName + "/attr_" + kind.id();
                int[] shape = java.util.Arrays.stream(ref.info(name).shape()).mapToInt(Math::toIntExact).toArray();
                dev.jlens.model.GradientParityTest.assertGradientClose(name, r.attribution().get(kind.id()), Tensor.of(ref.readFloat32(name), shape));
            }
        }
        var json = r.toJson();
        assertThat(json.toString()).contains("\"attribution\"");
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("cases")
    void everyKeyOfTheCaseMatchesTransformerLens(String which, String caseName) {
        HookedTransformer model = Fixtures.model(which);
        JsonNode c = Fixtures.reference(which).get("cases").get(caseName);
        AnalysisResult r = new ExperimentAnalysis(model).run(experimentOf(which, caseName, NINE));

        for (int i = 0; i < c.get("tokens").size(); i++) {
            assertThat(r.tokens().row(i)).containsExactly(Fixtures.ints(c.get("tokens").get(i)));
            assertThat(r.corruptedTokens().row(i)).containsExactly(Fixtures.ints(c.get("corrupted_tokens").get(i)));
            assertThat(r.answerTokens().row(i)).containsExactly(Fixtures.ints(c.get("answer_tokens").get(i)));
        }
        assertClose("per_prompt_logit_diff", r.perPromptLogitDiff().toArray(), Fixtures.floats(c.get("per_prompt_logit_diff")));
        assertClose("average_logit_diff", r.averageLogitDiff(), c.get("average_logit_diff").asDouble());
        assertClose("calculated_average_logit_diff", r.calculatedAverageLogitDiff(), c.get("calculated_average_logit_diff").asDouble());
        assertThat(r.logitLensLabels()).containsExactlyElementsOf(Fixtures.strings(c.get("logit_lens_labels")));
        assertClose("logit_lens", r.logitLens().toArray(), Fixtures.floats(c.get("logit_lens")));
        assertThat(r.perLayerLabels()).containsExactlyElementsOf(Fixtures.strings(c.get("per_layer_labels")));
        assertClose("per_layer", r.perLayer().toArray(), Fixtures.floats(c.get("per_layer")));
        assertThat(r.perHeadLabels()).containsExactlyElementsOf(Fixtures.strings(c.get("per_head_labels")));
        assertClose("per_head", r.perHead().toArray(), Fixtures.floats(c.get("per_head")));
        assertThat(r.perHead().shape()).containsExactly(model.cfg().nLayers(), model.cfg().nHeads());
        assertThat(r.top3PositiveHeads()).containsExactly(Fixtures.ints(c.get("top3_positive_heads")));
        assertThat(r.top3NegativeHeads()).containsExactly(Fixtures.ints(c.get("top3_negative_heads")));
        assertClose("corrupted_average_logit_diff", r.corruptedAverageLogitDiff(), c.get("corrupted_average_logit_diff").asDouble());

        for (PatchKind kind : NINE) {
            String key = "get_act_patch_" + kind.id();
            Tensor got = r.patching().get(kind.id());
            assertThat(got.shape()).as(key + " shape").containsExactly(Fixtures.ints(c.get(key + "_shape")));
            assertClose(which + "/" + caseName + " " + key, got.toArray(), Fixtures.floats(c.get(key)));
        }
        assertClose("seed's manual loop = resid_pre helper", r.patching().get("resid_pre").toArray(), Fixtures.floats(c.get("patch_resid_pre_manual")));
    }

    @Test
    void logitDiffDirectionsEqualTransformerLens() {
        for (String which : Fixtures.names()) {
            HookedTransformer model = Fixtures.model(which);
            for (String caseName : List.of("pets_sentence_swap", "ioi")) {
                JsonNode c = Fixtures.reference(which).get("cases").get(caseName);
                var answers = dev.jlens.tensor.IntTensor.of(toMatrix(c.get("answer_tokens")));
                Tensor dirs = model.tokensToResidualDirections(answers);
                Tensor diff = dirs.get(":", 0).sub(dirs.get(":", 1));
                assertClose(caseName + " directions", diff, Fixtures.referenceTensor(which, caseName + "/logit_diff_directions"));
            }
        }
    }

    private static int[][] toMatrix(JsonNode rows) {
        int[][] out = new int[rows.size()][];
        for (int i = 0; i < out.length; i++) out[i] = Fixtures.ints(rows.get(i));
        return out;
    }
}
