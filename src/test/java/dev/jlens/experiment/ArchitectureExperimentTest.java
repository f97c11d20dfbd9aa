package dev.jlens.experiment;

import dev.jlens.ArchFixtures;
import dev.jlens.model.HookedTransformer;
import dev.jlens.patching.PatchKind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;

import static dev.jlens.Fixtures.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seed's whole analysis (examples/pets-sentence-swap.json's patching kinds) on GPT-NeoX, Llama and Gemma 2: it
 * runs, its logit difference is TransformerLens' (reference.json), and the logit lens reads resid_mid only where the
 * model has one (GPT-NeoX's parallel attention and MLP have none).
 */
class ArchitectureExperimentTest {
    static List<String> fixtures() {
        return ArchFixtures.names();
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void theSeedsAnalysisRunsOnEveryArchitecture(String name) {
        HookedTransformer model = ArchFixtures.model(name);
        var ref = ArchFixtures.reference(name);
        // the reference's prompts as text: its ids decode to the pets sentences (BOS first)
        String clean = model.toString(java.util.Arrays.copyOfRange(ArchFixtures.tokens(name, "tokens").row(0), 1, ArchFixtures.tokens(name, "tokens").shape(1)));
        String corrupted = model.toString(java.util.Arrays.copyOfRange(ArchFixtures.tokens(name, "corrupted_tokens").row(0), 1, ArchFixtures.tokens(name, "tokens").shape(1)));
        int[] answers = ArchFixtures.tokens(name, "answer_tokens").row(0);
        Experiment e = new Experiment("pets", null, true, List.of(clean), List.of(new Experiment.AnswerPair(model.toString(answers[0]), model.toString(answers[1]))),
                List.of(corrupted), List.of(PatchKind.RESID_PRE, PatchKind.ATTN_HEAD_OUT_ALL_POS, PatchKind.ATTN_HEAD_PATTERN_ALL_POS, PatchKind.BLOCK_EVERY));
        AnalysisResult r = new ExperimentAnalysis(model).run(e);
        assertThat(r.tokens().row(0)).containsExactly(ArchFixtures.tokens(name, "tokens").row(0));
        assertClose(name + " logit difference", r.averageLogitDiff(), ref.get("logit_diff").asDouble());
        assertClose(name + " corrupted logit difference", r.corruptedAverageLogitDiff(), ref.get("corrupted_logit_diff").asDouble());
        boolean parallel = model.cfg().parallelAttnMlp();
        List<String> expected = new ArrayList<>();
        for (int l = 0; l < model.cfg().nLayers(); l++) {
            expected.add(l + "_pre");
            if (!parallel) expected.add(l + "_mid");
        }
        expected.add("final_post");
        assertThat(r.logitLensLabels()).containsExactlyElementsOf(expected);
        assertThat(r.patching().keySet()).containsExactly("resid_pre", "attn_head_out_all_pos", "attn_head_pattern_all_pos", "block_every");
    }
}
