package dev.jlens.viz;

import dev.jlens.Fixtures;
import dev.jlens.experiment.AnalysisResult;
import dev.jlens.experiment.Experiment;
import dev.jlens.experiment.ExperimentAnalysis;
import dev.jlens.model.HookedTransformer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The report's per-layer attribution and logit lens put the seed's component labels ({@code embed}, {@code 0_attn_out},
 * {@code 3_mid}, ...) on a categorical x axis, one slot each, in the browser's chart and in the SVG and PNG drawing.
 */
class ComponentAxisTest {
    static AnalysisResult r;
    static Page page;

    @BeforeAll
    static void analyze() {
        HookedTransformer model = Fixtures.model("a");
        r = new ExperimentAnalysis(model).run(Experiment.read(Path.of("examples/ioi.json")));
        page = new ExperimentReport(model).build(r, new ExperimentReport.Provenance("examples/ioi.json", null, "tiny"));
    }

    static LineChart chart(String id) {
        return (LineChart) page.figures().stream().filter(f -> f.id().equals(id)).findFirst().orElseThrow();
    }

    /** The x axis' labels of the static drawing (SVG and PNG are written from it), left to right. */
    static List<String> drawnLabels(LineChart c) {
        double plotBottom = c.height() - 1;
        return Figures.drawing(c).shapes.stream().filter(s -> s instanceof Drawing.Text).map(s -> (Drawing.Text) s)
                .filter(t -> t.rotate() != -90 && t.y() < plotBottom && !t.text().equals(c.title()) && t.size() == XyAxes.TICK && !t.text().matches("-?[0-9.]+"))
                .sorted(java.util.Comparator.comparingDouble(Drawing.Text::x)).map(Drawing.Text::text).toList();
    }

    @Test
    void perLayerAttributionIsLabeledWithItsComponents() {
        LineChart c = chart("per-layer");
        String shots = System.getProperty("jlens.screenshots");
        if (shots != null) c.savePng(Path.of(shots, "per-layer.png"));   // to be looked at
        List<String> labels = r.perLayerLabels();
        assertThat(labels).startsWith("embed", "pos_embed", "0_attn_out", "0_mlp_out").endsWith("3_mlp_out");
        assertThat(drawnLabels(c)).containsExactlyElementsOf(labels);
        assertThat(c.toSvg()).contains(">0_attn_out</text>").contains(">3_mlp_out</text>");
        assertThat(Figures.spec(c)).contains("\"categories\":[\"embed\",\"pos_embed\",\"0_attn_out\"");
    }

    @Test
    void logitLensIsLabeledWithItsResidualStreamPoints() {
        LineChart c = chart("logit-lens");
        List<String> labels = r.logitLensLabels();
        assertThat(labels).contains("3_mid").hasSize(2 * 4 + 1);
        assertThat(drawnLabels(c)).containsExactlyElementsOf(labels);
        assertThat(Figures.spec(c)).contains("\"categories\":[\"" + labels.getFirst() + "\"");
        // one slot per point, in order, evenly spaced: no empty slot and no half steps
        double[] xs = Figures.drawing(c).shapes.stream().filter(s -> s instanceof Drawing.Circle).mapToDouble(s -> ((Drawing.Circle) s).cx()).toArray();
        assertThat(xs).hasSize(labels.size());
        for (int i = 2; i < xs.length; i++) assertThat(xs[i] - xs[i - 1]).isCloseTo(xs[1] - xs[0], org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void manyLongLabelsAreTurnedAndThinnedNotOverlapped() {
        List<String> labels = java.util.stream.IntStream.range(0, 50).mapToObj(i -> i + "_attn_out_long").toList();
        float[] y = new float[50];
        LineChart c = LineChart.builder().xCategories(labels).series("s", y, labels).build();
        List<String> drawn = drawnLabels(c);
        assertThat(drawn).isNotEmpty().hasSizeLessThan(50).startsWith("0_attn_out_long");
        assertThatThrownBy(() -> LineChart.builder().xCategories(List.of("a", "b")).series("s", new double[] {0, 0.5}, new float[2], null).build())
                .hasMessage("series \"s\": x 0.5 is not the index of one of the 2 categories");
    }
}
