package dev.jlens.sae;

import dev.jlens.Fixtures;
import dev.jlens.analysis.GradientMetrics;
import dev.jlens.analysis.LogitDiff;
import dev.jlens.analysis.PatchingMetric;
import dev.jlens.model.HookedTransformer;
import dev.jlens.model.LogitMetric;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Feature attribution against central differences of the whole model: for the features with the largest estimates,
 * (target - activation) x gradient equals (target - activation) times the metric's slope measured by setting the
 * feature's activation a little above and below its value in a forward pass.
 */
class FeatureAttributionTest {
    private final HookedTransformer plain = Fixtures.model("a");
    private final IntTensor tokens = IntTensor.of(Fixtures.ints(SaeFixtures.reference().get("tokens")), 1, -1);
    private final IntTensor answers = IntTensor.of(Fixtures.ints(SaeFixtures.reference().get("answer_tokens")), 1, 2);

    @Test
    void theAblationEstimateIsMinusActivationTimesTheSlopeOfTheMetric() {
        Sae standard = Sae.load(SaeFixtures.folder("standard")), jumprelu = Sae.load(SaeFixtures.folder("jumprelu"));
        // With the error term an SAE is a constant plus its reconstruction for the gradient (SAELens' semantics) but the
        // identity for the forward pass, so the slope of the metric matches the gradient only with no such SAE after it.
        List<HookedTransformer> models = List.of(Saes.withSaes(plain, false, standard, jumprelu), Saes.withSaes(plain, true, standard), Saes.withSaes(plain, true, jumprelu));
        for (HookedTransformer spliced : models) {
            boolean useErrorTerm = Saes.of(spliced).getFirst().useErrorTerm();
            LogitMetric metric = GradientMetrics.logitDiff(answers);
            PatchingMetric ld = logits -> LogitDiff.average(logits, answers);
            Map<String, Tensor> estimates = FeatureAttribution.estimates(spliced, tokens, metric, null);
            assertThat(estimates.keySet()).containsExactlyElementsOf(Saes.of(spliced).stream().map(s -> FeatureAttribution.actsHook(s.sae())).toList());
            for (Map.Entry<String, Tensor> e : estimates.entrySet()) {
                Tensor acts = spliced.runWithCache(tokens).cache().get(e.getKey());
                List<FeatureAttribution.Entry> top = FeatureAttribution.top(e.getValue(), 3);
                for (FeatureAttribution.Entry entry : top) {
                    float act = acts.item(0, entry.position(), entry.feature());
                    assertThat(act).as("a feature that does not fire has no ablation estimate").isPositive();
                    float step = 1e-2f * act;
                    float up = FeatureAttribution.patched(spliced, tokens, e.getKey(), entry.position(), entry.feature(), new float[]{act + step}, ld);
                    float down = FeatureAttribution.patched(spliced, tokens, e.getKey(), entry.position(), entry.feature(), new float[]{act - step}, ld);
                    double expected = -act * (up - down) / (2.0 * step);
                    assertThat((double) entry.estimate()).as(e.getKey() + " " + entry + " (error term " + useErrorTerm + ")")
                            .isCloseTo(expected, within(2e-2 * Math.abs(expected) + 1e-4));
                }
            }
        }
    }

    @Test
    void topOrdersByMagnitudeWithTiesInIndexOrder() {
        Tensor estimates = Tensor.of(new float[]{0.5f, -2f, 0f, 2f, 1f, -0.5f}, 2, 3);
        assertThat(FeatureAttribution.top(estimates, 4)).extracting(FeatureAttribution.Entry::position, FeatureAttribution.Entry::feature)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(0, 1), org.assertj.core.groups.Tuple.tuple(1, 0),
                        org.assertj.core.groups.Tuple.tuple(1, 1), org.assertj.core.groups.Tuple.tuple(0, 0));
    }
}
