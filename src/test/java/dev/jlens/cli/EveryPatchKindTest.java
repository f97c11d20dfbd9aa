package dev.jlens.cli;

import dev.jlens.Fixtures;
import dev.jlens.patching.PatchKind;
import dev.jlens.cache.ActivationCache;
import dev.jlens.hooks.Hook;
import dev.jlens.model.ForwardOptions;
import dev.jlens.model.HookedTransformer;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;
import dev.jlens.testing.TransformerLensPatching;
import dev.jlens.testing.TransformerLensPatching.Helper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each of TransformerLens' 18 patching helpers through {@code jlens analyze} and {@code jlens report} on fixture A:
 * the result has TransformerLens' shape, and the report draws it with its labels in TransformerLens' index order.
 * Two prompt lengths: 5 positions (not n_heads, so a figure assuming the wrong axis order cannot be drawn) and
 * n_heads positions (where it could be drawn, transposed, and only the values tell).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EveryPatchKindTest {
    private static final String MODEL = Fixtures.modelDir("a").toString();
    /** Clean and corrupted prompts differ at their first token, so every patch changes something. */
    private static final Map<String, String[]> PROMPTS = Map.of(
            "five", new String[] {"1 2 3 4", "7 2 3 4", " 5", " 6"},
            "heads", new String[] {"1 2 3", "7 2 3", " 4", " 5"});

    private final Map<String, JsonNode> results = new HashMap<>();
    private final Map<String, String> reports = new HashMap<>();
    private int layers, heads;

    @BeforeAll
    void runAnalyzeAndReport(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        JsonNode config = JsonMapper.shared().readTree(Files.readString(Fixtures.modelDir("a").resolve("config.json")));
        layers = config.get("n_layer").asInt();
        heads = config.get("n_head").asInt();
        for (var e : PROMPTS.entrySet()) {
            String[] p = e.getValue();
            Path spec = dir.resolve(e.getKey() + ".json");
            Files.writeString(spec, "{\"prompts\": [\"" + p[0] + "\"], \"corrupted_prompts\": [\"" + p[1] + "\"], \"answers\": [[\"" + p[2] + "\", \""
                    + p[3] + "\"]], \"patching\": [\"" + String.join("\", \"", TransformerLensPatching.HELPERS.keySet()) + "\"]}");
            Path json = dir.resolve(e.getKey() + "-result.json"), html = dir.resolve(e.getKey() + ".html");
            CliRunner.Result analyze = CliRunner.run("analyze", "--spec", spec.toString(), "--model", MODEL, "--out", json.toString());
            assertThat(analyze.exitCode()).as(analyze.err()).isZero();
            CliRunner.Result report = CliRunner.run("report", "--spec", spec.toString(), "--model", MODEL, "--out", html.toString());
            assertThat(report.exitCode()).as(report.err()).isZero();
            results.put(e.getKey(), JsonMapper.shared().readTree(Files.readString(json)));
            reports.put(e.getKey(), Files.readString(html));
        }
        assertThat(positions("heads")).as("the prompt of the transposition case has n_heads positions").isEqualTo(heads);
        assertThat(positions("five")).isNotEqualTo(heads);
    }

    private int positions(String which) {
        return results.get(which).get("tokens").get(0).size();
    }

    Stream<Arguments> casesAndKinds() {
        List<Arguments> out = new ArrayList<>();
        for (String which : List.of("five", "heads")) {
            for (String id : TransformerLensPatching.HELPERS.keySet()) out.add(Arguments.of(which, id));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("casesAndKinds")
    void analyzeGivesTransformerLensShapeAndReportDrawsItInItsOrder(String which, String id) {
        Helper h = TransformerLensPatching.HELPERS.get(id);
        JsonNode sweep = results.get(which).get("patching").get(id);
        assertThat(Fixtures.ints(sweep.get("shape"))).as(id)
                .containsExactly(h.shape(layers, heads, positions(which)));
        TransformerLensPatching.checkFigures(h, sweep, reports.get(which));
    }

    /**
     * attn_head_pattern_by_pos computed here the way patching.py does, a hook per (layer, head, dest_pos) pasting
     * the clean pattern row into the corrupted run, equals what {@code jlens analyze} wrote in that index order.
     */
    @Test
    void patternByPositionEqualsHookedRunsInTransformerLensOrder() {
        HookedTransformer model = Fixtures.model("a");
        String[] p = PROMPTS.get("heads");
        IntTensor clean = model.toTokens(List.of(p[0])), corrupted = model.toTokens(List.of(p[1]));
        int correct = model.toTokens(List.of(p[2]), false).item(0, 0), incorrect = model.toTokens(List.of(p[3]), false).item(0, 0);
        ActivationCache cache = model.runWithCache(clean).cache();
        float cleanDiff = logitDiff(model.forward(clean), correct, incorrect);
        float corruptedDiff = logitDiff(model.forward(corrupted), correct, incorrect);
        JsonNode values = results.get("heads").get("patching").get("attn_head_pattern_by_pos").get("values");
        for (int l = 0; l < layers; l++) {
            String name = "blocks." + l + ".attn.hook_pattern";
            for (int h = 0; h < heads; h++) {
                for (int dest = 0; dest < positions("heads"); dest++) {
                    Object[] at = {":", h, dest};
                    Tensor row = cache.get(name).get(at);
                    Tensor logits = model.runWithHooks(corrupted, ForwardOptions.LOGITS, List.of(Hook.of(name, (act, hook) -> {
                        act.set(at, row);
                        return null;
                    }))).logits();
                    float expected = (logitDiff(logits, correct, incorrect) - corruptedDiff) / (cleanDiff - corruptedDiff);
                    assertThat(values.get(l).get(h).get(dest).asDouble()).as("L%dH%d dest %d", l, h, dest)
                            .isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-5));
                }
            }
        }
    }

    private static float logitDiff(Tensor logits, int correct, int incorrect) {
        int last = logits.shape(1) - 1;
        return logits.item(0, last, correct) - logits.item(0, last, incorrect);
    }

    /** jlens knows exactly TransformerLens' helpers, each by its activation, axes and stacked parts. */
    @Test
    void patchKindDescribesEachHelperAsTransformerLensDoes() {
        assertThat(java.util.Arrays.stream(PatchKind.values()).map(PatchKind::id).toList())
                .containsExactlyElementsOf(TransformerLensPatching.HELPERS.keySet());
        for (PatchKind k : PatchKind.values()) {
            Helper h = TransformerLensPatching.HELPERS.get(k.id());
            assertThat(k.transformerLensFunction()).isEqualTo(h.function());
            assertThat(k.resultAxisNames()).as(k.id()).containsExactlyElementsOf(h.resultAxes());
            if (h.activationName() != null) {
                assertThat(k.sweep().orElseThrow().site().actName()).as(k.id()).isEqualTo(h.activationName());
                assertThat(k.sweep().orElseThrow().axes().stream().map(a -> a.id()).toList()).as(k.id()).containsExactlyElementsOf(h.indexAxes());
            } else {
                assertThat(k.parts().stream().map(PatchKind.Part::label).toList()).as(k.id()).containsExactlyElementsOf(h.stackedParts());
            }
        }
    }

    /** docs/experiment-file.md's table of kinds says what TransformerLens says. */
    @Test
    void theDocumentedTableIsTransformerLens() throws IOException {
        String doc = Files.readString(Path.of("docs/experiment-file.md"));
        for (Helper h : TransformerLensPatching.HELPERS.values()) {
            assertThat(doc).as(h.id()).contains("| `" + h.id() + "` | `" + h.function() + "` | `" + h.shapeText() + "` | `"
                    + String.join(", ", h.resultAxes()) + "` |");
        }
    }
}
