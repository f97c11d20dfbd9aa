package dev.jlens.experiment;

import dev.jlens.Fixtures;
import dev.jlens.JlensException;
import dev.jlens.analysis.LogitDiff;
import dev.jlens.hooks.Hook;
import dev.jlens.model.ForwardOptions;
import dev.jlens.model.HookedTransformer;
import dev.jlens.sae.FeatureAttribution;
import dev.jlens.sae.Sae;
import dev.jlens.sae.SaeFixtures;
import dev.jlens.sae.Saes;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The seed's analysis with SAEs spliced in: each SAE's reading of the clean run matches the fixtures' float64 statistics,
 * and its top features' measured effects match runs made here through hooks (ablation on the clean run; with corrupted
 * prompts, the clean activation patched into the corrupted run).
 */
class SaeExperimentTest {
    private static final List<String> SAES = List.of("standard-legacy", "standard", "gated", "jumprelu", "topk", "standard-constnorm", "topk-v5-layernorm");
    private static final String CORRUPTED = "Mary is a human. Fido is a dog. The pet of this family is Fido. Pebbles is a cat. Rachel is a human. The pet of this family is";
    private final HookedTransformer plain = Fixtures.model("a");

    private static Experiment experiment(String corrupted, List<String> saes, boolean useErrorTerm) {
        String json = "{\"prompts\": [" + quoted(Fixtures.PET_PROMPT) + "], \"answers\": [[\" Peb\", \" Rachel\"]]"
                + (corrupted == null ? "" : ", \"corrupted_prompts\": [" + quoted(corrupted) + "]")
                + ", \"saes\": [" + String.join(", ", saes.stream().map(SaeExperimentTest::quoted).toList()) + "], \"use_error_term\": " + useErrorTerm + "}";
        return Experiment.parse("E.json", json);
    }

    private static String quoted(String s) {
        return "\"" + s + "\"";
    }

    private HookedTransformer spliced(Experiment e) {
        return Saes.withSaes(plain, e.useErrorTerm(), e.saes().stream().map(s -> Sae.load(SaeFixtures.folder(s))).toList());
    }

    @Test
    void withErrorTermsEverySaeReadsThePlainRunAsTheFixturesSay() {
        Experiment e = experiment(null, SAES, true);
        AnalysisResult r = new ExperimentAnalysis(spliced(e)).run(e);
        assertThat(r.saeFeatures()).hasSize(SAES.size());
        for (int i = 0; i < SAES.size(); i++) {
            SaeFeatures f = r.saeFeatures().get(i);
            JsonNode stats = SaeFixtures.reference().get("saes").get(SAES.get(i)).get("single_run_stats");
            assertThat(f.hookName()).isEqualTo(SaeFixtures.reference().get("saes").get(SAES.get(i)).get("hook_name").asString());
            assertThat(f.l0()).as(SAES.get(i) + " l0").isCloseTo(stats.get("l0_mean").asDouble(), within(1e-9));
            assertThat(f.relativeReconstructionError()).as(SAES.get(i) + " reconstruction error")
                    .isCloseTo(stats.get("relative_reconstruction_error").asDouble(), within(1e-4));
            assertThat(f.method()).isEqualTo("ablation");
            assertThat(f.top()).hasSize(SaeFeatures.TOP);
        }
        // with every error term the logits are the plain model's
        JsonNode ref = Fixtures.reference("a").get("cases").get("pets_sentence_swap");
        assertThat((double) r.averageLogitDiff()).isCloseTo(ref.get("average_logit_diff").asDouble(), within(1e-3));
        assertThat(r.toJson().toString()).contains("\"saes\":[{\"hook_name\":\"blocks.1.hook_resid_pre\"");
    }

    @Test
    void withoutTheErrorTermTheReconstructionErrorIsReportedAndAblationsAreMeasured() {
        Experiment e = experiment(null, List.of("standard-constnorm"), false);
        HookedTransformer model = spliced(e);
        SaeFeatures f = new ExperimentAnalysis(model).run(e).saeFeatures().getFirst();
        JsonNode stats = SaeFixtures.reference().get("saes").get("standard-constnorm").get("single_run_stats");
        assertThat(f.relativeReconstructionError()).isCloseTo(stats.get("relative_reconstruction_error").asDouble(), within(1e-4));
        IntTensor tokens = model.toTokens(List.of(Fixtures.PET_PROMPT), true);
        IntTensor answers = IntTensor.of(new int[][]{{model.toSingleToken(" Peb"), model.toSingleToken(" Rachel")}});
        float clean = LogitDiff.average(model.forward(tokens), answers);
        for (FeatureAttribution.Entry entry : f.top().subList(0, 3)) {
            Tensor logits = model.runWithHooks(tokens, List.of(Hook.of(f.hookName() + ".hook_sae_acts_post", (a, h) -> {
                a.put(0f, 0, entry.position(), entry.feature());
                return a;
            })));
            assertThat((double) entry.actual()).as(entry.toString()).isCloseTo(LogitDiff.average(logits, answers) - clean, within(1e-5));
            assertThat(Math.signum(entry.estimate())).as("a first-order estimate of " + entry).isEqualTo(Math.signum(entry.actual()));
        }
    }

    @Test
    void withCorruptedPromptsTheTopFeaturesArePatchedFromTheCleanRun() {
        Experiment e = experiment(CORRUPTED, List.of("standard"), true);
        HookedTransformer model = spliced(e);
        AnalysisResult r = new ExperimentAnalysis(model).run(e);
        SaeFeatures f = r.saeFeatures().getFirst();
        assertThat(f.method()).isEqualTo("patching");
        IntTensor answers = r.answerTokens();
        float clean = r.averageLogitDiff(), corrupted = r.corruptedAverageLogitDiff();
        Tensor cleanActs = model.runWithCache(r.tokens()).cache().get(f.hookName() + ".hook_sae_acts_post");
        for (FeatureAttribution.Entry entry : f.top().subList(0, 3)) {
            float value = cleanActs.item(0, entry.position(), entry.feature());
            Tensor logits = model.runWithHooks(r.corruptedTokens(), ForwardOptions.LOGITS, List.of(Hook.of(f.hookName() + ".hook_sae_acts_post", (a, h) -> {
                a.put(value, 0, entry.position(), entry.feature());
                return a;
            }))).logits();
            assertThat((double) entry.actual()).as(entry.toString()).isCloseTo((LogitDiff.average(logits, answers) - corrupted) / (clean - corrupted), within(1e-5));
        }
    }

    @Test
    void saesListedButNotSplicedInAreRefusedInOneLine() {
        Experiment e = experiment(null, List.of("standard"), false);
        assertThatThrownBy(() -> new ExperimentAnalysis(plain).run(e)).isInstanceOf(JlensException.class)
                .hasMessage("E.json: \"saes\" lists 1 SAE(s), but the model running it has none spliced in (jlens analyze and report splice them in; the web UI does not)");
    }
}
