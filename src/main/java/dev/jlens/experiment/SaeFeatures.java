package dev.jlens.experiment;

import dev.jlens.analysis.GradientMetrics;
import dev.jlens.analysis.LogitDiff;
import dev.jlens.analysis.PatchingMetric;
import dev.jlens.cache.ActivationCache;
import dev.jlens.io.Json;
import dev.jlens.model.HookedTransformer;
import dev.jlens.model.LogitMetric;
import dev.jlens.sae.FeatureActivations;
import dev.jlens.sae.FeatureAttribution;
import dev.jlens.sae.Sae;
import dev.jlens.sae.SaeSplice;
import dev.jlens.sae.Saes;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What an experiment's analysis adds for one SAE spliced into the model: how it reads the clean run (mean L0, mean
 * relative reconstruction error per position) and the {@value #TOP} features, at a position, that matter most for the
 * logit difference. With corrupted prompts ({@code method} "patching") a feature's estimate is attribution patching's
 * (clean - corrupted activation) x gradient of the normalized logit difference on the corrupted run, and its actual
 * value the corrupted run's normalized logit difference with that one feature set to its clean activation in every
 * prompt (0: no change, 1: the clean run's). Without them ({@code method} "ablation") the estimate is -activation x
 * gradient of the logit difference on the clean run, and the actual value the change of the average logit difference
 * when the feature is set to 0.
 *
 * @param hookName the hook point the SAE sits at; its features are {@code <hookName>.hook_sae_acts_post}
 */
public record SaeFeatures(String hookName, String source, int dSae, boolean useErrorTerm, double l0, double relativeReconstructionError,
                          String method, List<FeatureAttribution.Entry> top) {
    static final int TOP = 10;

    public SaeFeatures {
        top = List.copyOf(top);
    }

    /** Every SAE spliced into {@code model}, from the clean run's cache (all hook points, with the batch dimension). */
    static List<SaeFeatures> of(HookedTransformer model, ActivationCache clean, IntTensor tokens, IntTensor answers, float cleanLd,
                                IntTensor corrupted, Float corruptedLd) {
        boolean patching = corrupted != null;
        LogitMetric gradientOf = patching ? GradientMetrics.normalizedLogitDiff(answers, cleanLd, corruptedLd) : GradientMetrics.logitDiff(answers);
        PatchingMetric metric = patching ? LogitDiff.normalized(answers, cleanLd, corruptedLd) : logits -> LogitDiff.average(logits, answers) - cleanLd;
        Map<String, Tensor> estimates = FeatureAttribution.estimates(model, patching ? corrupted : tokens, gradientOf, patching ? clean : null);
        List<SaeFeatures> out = new ArrayList<>();
        for (SaeSplice splice : Saes.of(model)) {
            Sae sae = splice.sae();
            String acts = FeatureAttribution.actsHook(sae);
            Tensor cleanActs = clean.get(acts);
            List<FeatureAttribution.Entry> top = new ArrayList<>();
            for (FeatureAttribution.Entry entry : FeatureAttribution.top(estimates.get(acts), TOP)) {
                float[] values = new float[tokens.shape(0)];
                if (patching) for (int b = 0; b < values.length; b++) values[b] = cleanActs.item(b, entry.position(), entry.feature());
                float actual = FeatureAttribution.patched(model, patching ? corrupted : tokens, acts, entry.position(), entry.feature(), values, metric);
                top.add(entry.withActual(actual));
            }
            out.add(new SaeFeatures(sae.hookName(), sae.source(), sae.cfg().dSae(), splice.useErrorTerm(), FeatureActivations.l0(cleanActs),
                    reconstructionError(clean, sae, splice.useErrorTerm()), patching ? "patching" : "ablation", top));
        }
        return out;
    }

    /** The mean over positions of |input - reconstruction| / |input| (with the error term, |hook_sae_error| / |input|). */
    static double reconstructionError(ActivationCache clean, Sae sae, boolean useErrorTerm) {
        String hook = sae.hookName();
        float[] x = clean.get(hook + "." + SaeSplice.INPUT).toArray();
        float[] error = useErrorTerm ? clean.get(hook + "." + SaeSplice.ERROR).toArray() : null;
        float[] out = useErrorTerm ? null : clean.get(hook + "." + SaeSplice.OUTPUT).toArray();
        int d = sae.cfg().dIn(), rows = x.length / d;
        double sum = 0;
        for (int r = 0; r < rows; r++) {
            double e2 = 0, x2 = 0;
            for (int c = r * d; c < (r + 1) * d; c++) {
                double e = useErrorTerm ? error[c] : (double) x[c] - out[c];
                e2 += e * e;
                x2 += (double) x[c] * x[c];
            }
            sum += Math.sqrt(e2 / x2);
        }
        return sum / rows;
    }

    Json.Obj toJson() {
        Json.Obj o = new Json.Obj().put("hook_name", hookName).put("source", source).put("d_sae", Json.Num.of(dSae))
                .put("use_error_term", new Json.Bool(useErrorTerm)).put("l0_mean", Json.Num.of((float) l0))
                .put("relative_reconstruction_error", Json.Num.of((float) relativeReconstructionError)).put("method", method);
        Json.Arr entries = new Json.Arr();
        for (FeatureAttribution.Entry e : top) {
            entries.add(new Json.Obj().put("position", Json.Num.of(e.position())).put("feature", Json.Num.of(e.feature()))
                    .put("estimate", Json.Num.of(e.estimate())).put("actual", Json.Num.of(e.actual())));
        }
        return o.put("top_features", entries);
    }
}
