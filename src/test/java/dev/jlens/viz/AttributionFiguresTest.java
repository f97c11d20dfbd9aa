package dev.jlens.viz;

import dev.jlens.Fixtures;
import dev.jlens.analysis.GradientMetrics;
import dev.jlens.analysis.Saliency;
import dev.jlens.model.HookedTransformer;
import dev.jlens.patching.PatchKind;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The report's attribution-patching figures: each attribution heatmap has its activation-patching twin's layout, labels
 * and color scale and is read from the result in TransformerLens' index order; the pair fits a page side by side; the
 * correlation printed is Pearson's r of the two results; the saliency strips color each token by its value and hold
 * each prompt's saliency of its own logit difference.
 */
class AttributionFiguresTest {
    static final int LAYERS = 3, POSITIONS = 7;
    static final List<String> TOKENS = IntStream.range(0, POSITIONS).mapToObj(i -> " t" + i).toList();

    static Tensor random(long seed, int... shape) {
        Random rnd = new Random(seed);
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) t.data()[i] = (float) rnd.nextGaussian();
        return t;
    }

    /** Pearson's r straight from its definition, over float data as the tensors hold it. */
    static double pearson(float[] x, float[] y) {
        double mx = 0, my = 0;
        for (int i = 0; i < x.length; i++) {
            mx += x[i];
            my += y[i];
        }
        mx /= x.length;
        my /= y.length;
        double c = 0, vx = 0, vy = 0;
        for (int i = 0; i < x.length; i++) {
            c += (x[i] - mx) * (y[i] - my);
            vx += (x[i] - mx) * (x[i] - mx);
            vy += (y[i] - my) * (y[i] - my);
        }
        return c / Math.sqrt(vx * vy);
    }

    static Page page(PatchKind kind, Tensor patched, Tensor attributed) {
        Page.Builder p = Page.builder("t");
        PatchingFigures.add(p, kind, patched, attributed, TOKENS);
        return p.build();
    }

    static Heatmap heatmap(Page page, String id) {
        return (Heatmap) page.figures().stream().filter(f -> f.id().equals(id)).findFirst().orElseThrow(() -> new AssertionError("no figure " + id));
    }

    @Test
    void pearsonIsNumpysCorrcoef() {
        // numpy.corrcoef([1, 2, 3, 4, 5], [2, 1, 4, 3, 7])[0, 1] = 0.8241633836921342 = 12 / sqrt(10 * 21.2)
        assertThat(Correlation.pearson(new double[] {1, 2, 3, 4, 5}, new double[] {2, 1, 4, 3, 7})).isCloseTo(0.8241633836921342, within(1e-12));
        assertThat(Correlation.pearson(new double[] {1, 2, 3}, new double[] {3, 2, 1})).isCloseTo(-1, within(1e-12));
        // pairs with a NaN are left out; a constant side or fewer than two pairs leave r undefined
        assertThat(Correlation.pearson(new double[] {1, Double.NaN, 2, 3}, new double[] {1, 5, 2, 3})).isCloseTo(1, within(1e-12));
        assertThat(Correlation.pearson(new double[] {1, 2, 3}, new double[] {0, 0, 0})).isNaN();
        assertThat(Correlation.pearson(new double[] {1}, new double[] {2})).isNaN();
        assertThat(PatchingFigures.r(Double.NaN)).isEqualTo("undefined (constant values)");
    }

    @Test
    void attributionStandsBesideItsActivationPatchingTwinInIndexOrder() {
        Tensor patched = random(1, LAYERS, POSITIONS), attributed = random(2, LAYERS, POSITIONS).mul(3);
        Page page = page(PatchKind.RESID_PRE, patched, attributed);
        assertThat(page.figures().stream().map(Figure::id)).containsExactly("patching-resid_pre-heatmap", "attribution-resid_pre-heatmap", "scatter-resid_pre");
        Heatmap act = heatmap(page, "patching-resid_pre-heatmap"), attr = heatmap(page, "attribution-resid_pre-heatmap");
        // [layer, pos]: rows are layers, columns positions, read from the attribution tensor (not the activation one)
        for (int l = 0; l < LAYERS; l++) for (int p = 0; p < POSITIONS; p++) assertThat(attr.value(l, p)).isEqualTo(attributed.item(l, p));
        assertThat(attr.xLabels()).isEqualTo(act.xLabels()).containsExactly(" t0_0", " t1_1", " t2_2", " t3_3", " t4_4", " t5_5", " t6_6");
        assertThat(attr.yLabels()).isEqualTo(act.yLabels());
        assertThat(attr.cellName(2, 5)).isEqualTo(act.cellName(2, 5)).isEqualTo("Layer 2, Position  t5_5");
        // one color scale for the pair: the largest |value| of either
        double max = 0;
        for (float v : attributed.toArray()) max = Math.max(max, Math.abs(v));
        for (float v : patched.toArray()) max = Math.max(max, Math.abs(v));
        assertThat(act.range()).isEqualTo(attr.range()).isEqualTo(max);
        // side by side on a report's page (1140 px), with the gap between them
        assertThat(act.width() + attr.width() + 20).isLessThanOrEqualTo(1140);
        assertThat(page.bodyHtml()).contains("<div class=\"jlens-pair\">");
        assertThat(correlation(page, "resid_pre")).isCloseTo(pearson(patched.toArray(), attributed.toArray()), within(1e-4));
        ScatterPlot scatter = (ScatterPlot) page.figures().getLast();
        assertThat(scatter.points()).isEqualTo(LAYERS * POSITIONS);
        assertThat(scatter.tooltip(1 * POSITIONS + 4)).isEqualTo("Layer 1, Position  t4_4: (" + Values.format(patched.item(1, 4)) + ", "
                + Values.format(attributed.item(1, 4)) + ")");
    }

    @Test
    void stackedKindsPairPartByPartWithACorrelationEach() {
        Tensor patched = random(3, 3, LAYERS, POSITIONS), attributed = random(4, 3, LAYERS, POSITIONS);
        attributed.data()[0] = 40;   // one large value sets the scale of all six heatmaps
        Page page = page(PatchKind.BLOCK_EVERY, patched, attributed);
        assertThat(page.figures().stream().map(Figure::id)).containsExactly("patching-block_every-resid_pre", "attribution-block_every-resid_pre",
                "patching-block_every-attn_out", "attribution-block_every-attn_out", "patching-block_every-mlp_out", "attribution-block_every-mlp_out",
                "scatter-block_every");
        String[] parts = {"resid_pre", "attn_out", "mlp_out"};
        for (int part = 0; part < 3; part++) {
            Heatmap attr = heatmap(page, "attribution-block_every-" + parts[part]);
            for (int l = 0; l < LAYERS; l++) for (int p = 0; p < POSITIONS; p++) assertThat(attr.value(l, p)).isEqualTo(attributed.item(part, l, p));
            assertThat(attr.range()).isEqualTo(40);
            assertThat(correlation(page, "block_every", parts[part])).as(parts[part])
                    .isCloseTo(pearson(patched.get(part).toArray(), attributed.get(part).toArray()), within(1e-4));
        }
        assertThat(correlation(page, "block_every")).isCloseTo(pearson(patched.toArray(), attributed.toArray()), within(1e-4));
    }

    @Test
    void headKindsKeepTheirLayoutAndHeadNames() {
        int heads = 4;
        Tensor patched = random(5, LAYERS, heads), attributed = random(6, LAYERS, heads);
        Page page = page(PatchKind.ATTN_HEAD_OUT_ALL_POS, patched, attributed);
        Heatmap attr = heatmap(page, "attribution-attn_head_out_all_pos-heatmap");
        assertThat(attr.rows()).isEqualTo(LAYERS);
        assertThat(attr.columns()).isEqualTo(heads);
        assertThat(attr.tooltip(2, 3)).isEqualTo("L2H3: " + Values.format(attributed.item(2, 3)));
        // a kind with one heatmap per (layer, head): as many pairs, the attribution one named alike
        Tensor byPair = random(7, LAYERS, heads, POSITIONS, POSITIONS);
        Page pattern = page(PatchKind.ATTN_HEAD_PATTERN_DEST_SRC_POS, random(8, LAYERS, heads, POSITIONS, POSITIONS), byPair);
        assertThat(pattern.figures().stream().filter(f -> f.id().startsWith("attribution-"))).hasSize(LAYERS * heads);
        Heatmap l1h2 = heatmap(pattern, "attribution-attn_head_pattern_dest_src_pos-L1H2");
        assertThat(l1h2.value(5, 3)).isEqualTo(byPair.item(1, 2, 5, 3));   // [layer, head, dest, src]: rows dest, columns src
        assertThat(heatmap(pattern, "patching-attn_head_pattern_dest_src_pos-L1H2").xLabels()).isEqualTo(l1h2.xLabels());
    }

    @Test
    void anAttributionWithoutItsActivationPatchingStandsAlone() {
        Tensor attributed = random(9, LAYERS, POSITIONS);
        Page page = page(PatchKind.MLP_OUT, null, attributed);
        assertThat(page.figures().stream().map(Figure::id)).containsExactly("attribution-mlp_out-heatmap");
        assertThat(page.bodyHtml()).doesNotContain("correlation-mlp_out").contains("attribution patching only");
    }

    @Test
    void saliencyStripsColorEachTokenByItsValue() {
        float[] values = {0.5f, -0.25f, 0f, 1f};
        Page page = Page.builder("t").saliency("s", "Prompt 0", List.of("<|endoftext|>", " a", "\n", " b"), values, 1).build();
        String html = page.bodyHtml();
        Matcher chip = Pattern.compile("<span class=\"jlens-tok\" data-pos=\"(\\d)\" data-value=\"([^\"]*)\" style=\"background:(#[0-9a-f]{6})").matcher(html);
        int seen = 0;
        while (chip.find()) {
            int i = Integer.parseInt(chip.group(1));
            assertThat(chip.group(2)).isEqualTo(Values.format(values[i]));
            assertThat(chip.group(3)).isEqualTo(ColorScale.RDBU.hex(values[i], 1));
            seen++;
        }
        assertThat(seen).isEqualTo(4);
        assertThat(html).contains("title=\"position 1: -0.2500\"").contains("\\n");
    }

    /** Each prompt's strip is its own logit difference's saliency: the same as the prompt analyzed alone. */
    @Test
    void eachPromptsSaliencyIsThatOfItsOwnLogitDifference() {
        HookedTransformer model = Fixtures.model("a");
        IntTensor tokens = model.toTokens(List.of("When John and Mary went to the shops, John gave the bag to",
                "When Tom and James went to the park, James gave the ball to"), true);
        IntTensor answers = IntTensor.of(new int[][] {{model.toSingleToken(" Mary"), model.toSingleToken(" John")},
                {model.toSingleToken(" Tom"), model.toSingleToken(" James")}});
        TokenSaliency both = TokenSaliency.of(model, tokens, answers, 4);
        for (int b = 0; b < 2; b++) {
            IntTensor one = IntTensor.of(new int[][] {tokens.row(b)}), answer = IntTensor.of(new int[][] {answers.row(b)});
            float[] gxi = Saliency.gradientTimesInput(model, one, GradientMetrics.logitDiff(answer)).toArray();
            float[] ig = Saliency.integratedGradients(model, one, GradientMetrics.logitDiff(answer), 4).toArray();
            float[] gotGxi = both.gradientTimesInput().get(b).toArray(), gotIg = both.integratedGradients().get(b).toArray();
            for (int p = 0; p < gxi.length; p++) {
                assertThat(gotGxi[p]).as("prompt %d position %d", b, p).isCloseTo(gxi[p], within(1e-4f + 1e-4f * Math.abs(gxi[p])));
                assertThat(gotIg[p]).as("prompt %d position %d", b, p).isCloseTo(ig[p], within(1e-4f + 1e-4f * Math.abs(ig[p])));
            }
        }
    }

    /** The r printed in {@code correlation-KIND} (the overall one, or a part's). */
    static double correlation(Page page, String kind, String... part) {
        String html = page.bodyHtml();
        Matcher p = Pattern.compile("<p id=\"correlation-" + kind + "\">([^<]*)</p>").matcher(html);
        assertThat(p.find()).as("correlation of " + kind).isTrue();
        String text = p.group(1);
        Matcher r = Pattern.compile((part.length == 0 ? "patching: r = " : " " + part[0] + " r = ") + "(-?[0-9.]+)").matcher(text);
        assertThat(r.find()).as(text).isTrue();
        return Double.parseDouble(r.group(1));
    }
}
