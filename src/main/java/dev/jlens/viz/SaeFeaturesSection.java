package dev.jlens.viz;

import dev.jlens.experiment.AnalysisResult;
import dev.jlens.experiment.SaeFeatures;
import dev.jlens.model.HookedTransformer;
import dev.jlens.sae.FeatureAttribution;
import dev.jlens.sae.FeatureLogitEffects;
import dev.jlens.sae.Sae;
import dev.jlens.sae.SaeSplice;
import dev.jlens.sae.Saes;
import dev.jlens.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The report's section for an analysis run with SAEs spliced in, a small feature dashboard per SAE: how it reads the
 * clean run (L0, reconstruction error), its features that matter most for the logit difference (estimate by gradient,
 * actual change measured by patching or ablating the feature), each with the tokens its decoder row promotes and
 * suppresses most directly ({@code W_dec @ W_U}), and the first prompt's tokens colored by each of those features'
 * activation. Element ids: {@code sae-N} (facts), {@code sae-features-N} (table), {@code sae-activations-N} (heatmap).
 */
final class SaeFeaturesSection {
    private static final int TOKENS = 3;

    private SaeFeaturesSection() {
    }

    static void add(Page.Builder p, HookedTransformer model, AnalysisResult r) {
        if (r.saeFeatures().isEmpty()) return;
        p.section("sae-features", "SAE features");
        boolean patching = r.saeFeatures().getFirst().method().equals("patching");
        p.paragraph(patching
                ? "Per SAE, the features (at a position) whose attribution-patching estimate, (clean - corrupted activation) x gradient of the "
                  + "normalized logit difference on the corrupted run, is largest in size; 'actual' is the corrupted run's normalized logit "
                  + "difference with only that feature set to its clean activation (0 = no change, 1 = clean performance)."
                : "Per SAE, the features (at a position) whose ablation estimate, -activation x gradient of the logit difference, is largest "
                  + "in size; 'actual' is the change of the average logit difference when that feature is set to 0.");
        List<String> tokens0 = r.strTokens().getFirst();
        for (int i = 0; i < r.saeFeatures().size(); i++) {
            SaeFeatures f = r.saeFeatures().get(i);
            p.subheading(f.hookName());
            p.facts("sae-" + i, List.of(List.of("SAE", f.source()), List.of("Features (d_sae)", Integer.toString(f.dSae())),
                    List.of("Error term", f.useErrorTerm() ? "yes: the model's output is kept, the features are read and edited" : "no: the model runs on the reconstruction"),
                    List.of("Mean L0 (features firing per position)", Values.format(f.l0())),
                    List.of("Mean relative reconstruction error |x - x̂| / |x|", Values.format(f.relativeReconstructionError()))));
            Tensor acts = r.cleanCache().get(f.hookName() + "." + SaeSplice.ACTS_POST);
            List<FeatureLogitEffects.Effects> effects = logitEffects(model, f);
            List<List<String>> rows = new ArrayList<>();
            for (int j = 0; j < f.top().size(); j++) {
                FeatureAttribution.Entry e = f.top().get(j);
                FeatureLogitEffects.Effects fx = effects == null ? null : effects.get(j);
                rows.add(List.of(Integer.toString(e.position()), "|" + Html.visibleToken(tokens0.get(e.position())) + "|", Integer.toString(e.feature()),
                        Values.format(acts.item(0, e.position(), e.feature())), Values.format(e.estimate()), Values.format(e.actual()),
                        fx == null ? "" : tokens(model, fx.top()), fx == null ? "" : tokens(model, fx.bottom())));
            }
            p.table("sae-features-" + i, "Top features", List.of("Position", "Token", "Feature", "Activation (prompt 0)", "Estimate", "Actual",
                    "Promotes", "Suppresses"), rows);
            List<Integer> features = f.top().stream().map(FeatureAttribution.Entry::feature).distinct().toList();
            float[][] grid = new float[features.size()][tokens0.size()];
            for (int k = 0; k < features.size(); k++) for (int pos = 0; pos < tokens0.size(); pos++) grid[k][pos] = acts.item(0, pos, features.get(k));
            List<String> xLabels = new ArrayList<>();
            for (int pos = 0; pos < tokens0.size(); pos++) xLabels.add(tokens0.get(pos) + "_" + pos);
            p.figure(Heatmap.builder(grid).id("sae-activations-" + i).title("Activations of the top features, prompt 0").xTitle("Position")
                    .yTitle("Feature").xLabels(xLabels).yLabels(features.stream().map(String::valueOf).toList())
                    .cellNames((k, pos) -> "feature " + features.get(k) + " at " + xLabels.get(pos)).build());
        }
    }

    /** The direct logit effects of the top features, or null when the SAE does not read the residual stream's width. */
    private static List<FeatureLogitEffects.Effects> logitEffects(HookedTransformer model, SaeFeatures f) {
        Sae sae = Saes.of(model).stream().map(SaeSplice::sae).filter(s -> s.hookName().equals(f.hookName())).findFirst().orElse(null);
        if (sae == null || sae.cfg().dIn() != model.cfg().dModel()) return null;
        int[] features = f.top().stream().mapToInt(FeatureAttribution.Entry::feature).toArray();
        return FeatureLogitEffects.of(model, sae, features, TOKENS);
    }

    private static String tokens(HookedTransformer model, List<FeatureLogitEffects.TokenEffect> effects) {
        return effects.stream().map(t -> "|" + Html.visibleToken(model.toSingleStrToken(t.token())) + "| " + Values.format(t.effect()))
                .collect(Collectors.joining(", "));
    }
}
