package dev.jlens.viz;

import dev.jlens.patching.PatchKind;
import dev.jlens.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Heatmaps sized from their data: a patching heatmap of 38, 138 or 1024 positions fits a report's page (1140 px) with
 * its color bar, and its column labels (in the PNG and SVG drawing) never touch; facets share one color scale; the
 * color bar is marked at m, m/2, 0, -m/2, -m in the drawing and in the browser's specification alike.
 */
class HeatmapScaleTest {
    static final double PAGE = 1140, TURNED_LABEL_GAP = 11 * 1.5;

    static List<String> positions(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(" tok" + (i % 7) + "_" + i);
        return out;
    }

    static Heatmap resid(int n) {
        float[][] v = new float[4][n];
        for (int l = 0; l < 4; l++) for (int p = 0; p < n; p++) v[l][p] = (float) Math.sin(l + p * 0.37);
        return Heatmap.builder(v).title("Patching resid_pre").xTitle("Position").yTitle("Layer").xLabels(positions(n)).build();
    }

    /** The x positions of the column labels drawn under the plot (turned 45 degrees), left to right. */
    static double[] columnLabelXs(Heatmap h) {
        return Figures.drawing(h).shapes.stream().filter(s -> s instanceof Drawing.Text t && t.rotate() == -45)
                .mapToDouble(s -> ((Drawing.Text) s).x()).sorted().toArray();
    }

    @ParameterizedTest
    @ValueSource(ints = {38, 138, 1024})
    void aPatchingHeatmapFitsThePageWithLabelsApart(int n) {
        Heatmap h = resid(n);
        String shots = System.getProperty("jlens.screenshots");
        if (shots != null) h.savePng(Path.of(shots, "heatmap-" + n + ".png"));   // to be looked at
        assertThat(h.width()).as("width").isLessThanOrEqualTo((int) PAGE);
        double[] xs = columnLabelXs(h);
        assertThat(xs.length).as("labels drawn").isGreaterThan(Math.min(n, 30) - 1);
        for (int i = 1; i < xs.length; i++) assertThat(xs[i] - xs[i - 1]).as("gap after label %d", i - 1).isGreaterThanOrEqualTo(TURNED_LABEL_GAP - 1e-9);
        // the first label is drawn, and inside the figure
        Drawing.Text first = Figures.drawing(h).shapes.stream().filter(s -> s instanceof Drawing.Text t && t.rotate() == -45)
                .map(s -> (Drawing.Text) s).findFirst().orElseThrow();
        assertThat(first.text()).isEqualTo(" tok0_0");
        assertThat(first.x() - Drawing.textWidth(first.text(), 11) * Math.sqrt(0.5)).isGreaterThanOrEqualTo(0);
        if (n <= 38) assertThat(xs).hasSize(n);
        else assertThat(Figures.spec(h)).contains("\"zoomX\":true");
    }

    @Test
    void theColorBarIsMarkedAtZeroAndTheHalvesInTheSpecificationToo() {
        Heatmap h = Heatmap.builder(new float[][] {{-0.5f, 0.25f}, {0f, -0f}}).build();
        assertThat(Figures.spec(h)).contains("\"colorbar\":{").contains("\"labels\":[\"0.5000\",\"0.2500\",\"0.0000\",\"-0.2500\",\"-0.5000\"]");
        List<String> drawn = Figures.drawing(h).shapes.stream().filter(s -> s instanceof Drawing.Text).map(s -> ((Drawing.Text) s).text()).toList();
        assertThat(drawn).contains("0.5000", "0.2500", "0.0000", "-0.2500", "-0.5000").doesNotContain("-0.0000", "-0");
    }

    @Test
    void facetsOfOneResultShareOneColorScale() {
        int layers = 4, n = 12;
        float[] values = new float[3 * layers * n];
        // each part on its own scale: at most 1, 10 and 100
        for (int i = 0; i < values.length; i++) values[i] = (float) (Math.pow(10, i / (layers * n)) * Math.sin(i));
        values[2 * layers * n + 5] = -100;
        Tensor t = Tensor.of(values, 3, layers, n);
        Page.Builder p = Page.builder("facets");
        PatchingFigures.add(p, PatchKind.byId("block_every").orElseThrow(), t, IntStream.range(0, n).mapToObj(i -> "t" + i).toList());
        List<Heatmap> facets = p.build().figures().stream().map(f -> (Heatmap) f).toList();
        assertThat(facets).hasSize(3);
        for (Heatmap h : facets) assertThat(h.range()).as(h.id()).isEqualTo(100.0);
    }
}
