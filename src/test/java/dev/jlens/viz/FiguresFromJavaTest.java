package dev.jlens.viz;

import dev.jlens.Fixtures;
import dev.jlens.experiment.AnalysisResult;
import dev.jlens.experiment.Experiment;
import dev.jlens.experiment.ExperimentAnalysis;
import dev.jlens.model.HookedTransformer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** README's "Figures from Java", as written there, on fixture A. */
class FiguresFromJavaTest {
    @Test
    void theReadmeSnippetRuns(@TempDir Path dir) throws Exception {
        HookedTransformer model = Fixtures.model("a");
        AnalysisResult r = new ExperimentAnalysis(model).run(Experiment.read(Path.of("examples/numbers.json")));

        Heatmap heads = Heatmap.builder(r.perHead()).title("Logit Difference From Each Head").xTitle("Head").yTitle("Layer")
                .cellNames((layer, head) -> "L" + layer + "H" + head).build();
        heads.saveHtml(dir.resolve("heads.html"));
        heads.savePng(dir.resolve("heads.png"));

        LineChart lens = LineChart.builder().title("Logit lens")
                .series("logit diff", r.logitLens().toArray(), r.logitLensLabels()).build();
        AttentionPatterns top = AttentionPatterns.ofHeads(r.cleanCache(), r.strTokens().get(0), r.top3PositiveHeads(), 0).build();
        Page.builder("IOI").figure(heads).figure(lens).figure(top).build().save(dir.resolve("ioi.html"));
        new ExperimentReport(model).build(r, new ExperimentReport.Provenance("examples/numbers.json", null, "tiny")).save(dir.resolve("report.html"));

        assertThat(Files.readString(dir.resolve("ioi.html"))).contains("id=\"figure-1\"").contains("id=\"figure-3\"");
        assertThat(lens.series().getFirst().tooltip(3)).isEqualTo(r.logitLensLabels().get(3) + ": " + Values.format(r.logitLens().item(3)));
        assertThat(top.heads()).hasSize(3);
        int flat = r.top3PositiveHeads()[0], nHeads = model.cfg().nHeads();
        assertThat(top.heads().getFirst().label()).isEqualTo("L" + flat / nHeads + "H" + flat % nHeads);
        assertThat(top.heads().getFirst().pattern()[2]).containsExactly(
                r.cleanCache().get("pattern", flat / nHeads).get(0, flat % nHeads, 2).toArray());
        String report = Files.readString(dir.resolve("report.html"));
        assertThat(report).contains("&quot;model&quot; : &quot;gpt2-small&quot;").contains("jlens report --spec examples/numbers.json --model tiny");
    }
}
