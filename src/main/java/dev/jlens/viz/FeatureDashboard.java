package dev.jlens.viz;

import dev.jlens.dataset.TokenRow;
import dev.jlens.model.CacheOptions;
import dev.jlens.model.HookedTransformer;
import dev.jlens.sae.FeatureAttribution;
import dev.jlens.sae.FeatureLogitEffects;
import dev.jlens.sae.Sae;
import dev.jlens.sae.Saes;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;

/**
 * One SAE feature's page, as Neuronpedia shows a feature: how often it fires over a corpus and the histogram of its
 * activations where it fires, its top-activating examples (each a window of tokens around the peak, every token
 * colored by the feature's activation there), and its direct logit effects ({@code W_dec[f] @ W_U}, top and bottom
 * tokens). The corpus runs with the SAE spliced in with its error term, so the model's own activations are kept.
 * Element ids: {@code feature-facts}, {@code feature-histogram}, {@code feature-example-N}, {@code feature-logits}.
 */
public final class FeatureDashboard {
    static final int BINS = 20, BEFORE = 10, AFTER = 4, TOKENS = 10;

    /** One top-activating example: the row's position of the peak and the window of tokens around it with the feature's values. */
    public record Example(long row, int position, float activation, List<String> tokens, float[] values) {}

    /**
     * What the corpus says about the feature.
     *
     * @param positions every position run; {@code firing} those where the feature is above 0
     * @param counts    the histogram of the firing activations: {@link #BINS} bins of equal width from 0 to {@code max}
     */
    public record Data(int feature, String hookName, long positions, long firing, float max, long[] counts, List<Example> top) {}

    private FeatureDashboard() {
    }

    /** Runs the rows with the SAE spliced in (with its error term) and keeps the feature's {@code k} top examples. */
    public static Data collect(HookedTransformer model, Sae sae, int feature, Iterator<TokenRow> rows, int k) {
        sae.checkFeature(feature);
        HookedTransformer spliced = Saes.withSaes(model, true, sae);
        String acts = FeatureAttribution.actsHook(sae);
        CacheOptions only = CacheOptions.ALL.withNamesFilter(acts::equals).withRemoveBatchDim(true);
        List<Example> top = new ArrayList<>();
        float[] firingValues = new float[64];
        long positions = 0;
        int firing = 0;
        while (rows.hasNext()) {
            TokenRow row = rows.next();
            int[] ids = row.tokens();
            Tensor a = spliced.runWithCache(IntTensor.of(ids, 1, ids.length), only).cache().get(acts);
            float[] column = new float[ids.length];
            int peak = 0;
            for (int p = 0; p < ids.length; p++) {
                column[p] = a.item(p, feature);
                if (column[p] > column[peak]) peak = p;
                if (column[p] > 0f) {
                    if (firing == firingValues.length) firingValues = Arrays.copyOf(firingValues, 2 * firing);
                    firingValues[firing++] = column[p];
                }
            }
            positions += ids.length;
            if (column[peak] > 0f) {
                int from = Math.max(0, peak - BEFORE), to = Math.min(ids.length, peak + AFTER + 1);
                List<String> tokens = new ArrayList<>();
                for (int p = from; p < to; p++) tokens.add(model.toSingleStrToken(ids[p]));
                top.add(new Example(row.row(), peak, column[peak], tokens, Arrays.copyOfRange(column, from, to)));
                // strongest first; ties: the earlier row
                top.sort(Comparator.comparingDouble((Example e) -> -e.activation()).thenComparingLong(Example::row));
                if (top.size() > k) top.removeLast();
            }
        }
        float max = 0;
        for (int i = 0; i < firing; i++) max = Math.max(max, firingValues[i]);
        long[] counts = new long[BINS];
        for (int i = 0; i < firing; i++) counts[Math.min(BINS - 1, (int) (firingValues[i] / max * BINS))]++;
        return new Data(feature, sae.hookName(), positions, firing, max, counts, top);
    }

    /** The page of {@link #collect}'s data, with the feature's direct logit effects when the SAE reads the residual stream. */
    public static Page page(HookedTransformer model, Sae sae, Data d) {
        Page.Builder p = Page.builder("Feature " + d.feature() + " of " + d.hookName());
        p.heading("Feature " + d.feature() + " of " + d.hookName());
        p.facts("feature-facts", List.of(List.of("SAE", sae.source()), List.of("Features (d_sae)", Integer.toString(sae.cfg().dSae())),
                List.of("Positions run", Long.toString(d.positions())), List.of("Positions where it fires", Long.toString(d.firing())),
                List.of("Firing frequency", Values.format(d.positions() == 0 ? 0 : (double) d.firing() / d.positions())),
                List.of("Largest activation", Values.format(d.max()))));
        p.section("feature-histogram-section", "Activations where it fires");
        List<String> bins = new ArrayList<>();
        float[] counts = new float[BINS];
        for (int b = 0; b < BINS; b++) {
            bins.add(Values.format(d.max() * (b + 0.5) / BINS));
            counts[b] = d.counts()[b];
        }
        p.figure(LineChart.builder().id("feature-histogram").title("Activation histogram (" + d.firing() + " positions)").xCategories(bins)
                .xTitle("Activation (bin centre)").yTitle("Positions").series("positions", counts, bins).build());
        p.section("feature-examples-section", "Top activations");
        for (int i = 0; i < d.top().size(); i++) {
            Example e = d.top().get(i);
            p.saliency("feature-example-" + i, "row " + e.row() + ", position " + e.position() + ": " + Values.format(e.activation()),
                    e.tokens(), e.values(), d.max());
        }
        if (sae.cfg().dIn() == model.cfg().dModel()) {
            FeatureLogitEffects.Effects fx = FeatureLogitEffects.of(model, sae, new int[]{d.feature()}, TOKENS).getFirst();
            List<List<String>> rows = new ArrayList<>();
            for (int i = 0; i < fx.top().size(); i++) {
                rows.add(List.of("|" + Html.visibleToken(model.toSingleStrToken(fx.top().get(i).token())) + "|", Values.format(fx.top().get(i).effect()),
                        "|" + Html.visibleToken(model.toSingleStrToken(fx.bottom().get(i).token())) + "|", Values.format(fx.bottom().get(i).effect())));
            }
            p.section("feature-logits-section", "Direct logit effects (W_dec[f] @ W_U)");
            p.table("feature-logits", "Tokens it promotes and suppresses most", List.of("Promoted", "Effect", "Suppressed", "Effect"), rows);
        }
        return p.build();
    }
}
