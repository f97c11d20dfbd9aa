package dev.jlens.viz;

import dev.jlens.Fixtures;
import dev.jlens.analysis.GradientMetrics;
import dev.jlens.analysis.Saliency;
import dev.jlens.model.HookedTransformer;
import dev.jlens.tensor.IntTensor;
import dev.jlens.testing.Browser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The report of examples/ioi.json with attribution patching on fixture A, in chromium: each attribution heatmap stands
 * beside the activation-patching heatmap of its kind (same labels, one color scale), shows the numbers of
 * {@code jlens analyze}'s {@code "attribution"}, and their correlation is printed; a kind estimated only by attribution
 * stands alone; the saliency strips show each prompt's gradient x input and integrated gradients.
 */
@dev.jlens.testing.BrowserTest
class AttributionReportBrowserTest {
    static final List<String> ATTRIBUTION = List.of("resid_pre", "attn_head_out_all_pos", "block_every", "mlp_out");
    @TempDir
    static Path dir;
    static JsonNode analysis;
    static Browser browser;

    @BeforeAll
    static void makeReport() throws Exception {
        ObjectNode spec = (ObjectNode) JsonMapper.shared().readTree(Files.readString(Path.of("examples/ioi.json")));
        spec.set("attribution", JsonMapper.shared().valueToTree(ATTRIBUTION));
        Path specFile = dir.resolve("ioi-attribution.json"), report = dir.resolve("ioi.html");
        Files.writeString(specFile, spec.toString());
        String model = Fixtures.modelDir("a").toString();
        ReportBrowserTest.jlens("report", "--spec", specFile.toString(), "--model", model, "--out", report.toString());
        ReportBrowserTest.jlens("analyze", "--spec", specFile.toString(), "--model", model, "--out", dir.resolve("ioi.json").toString());
        analysis = JsonMapper.shared().readTree(Files.readString(dir.resolve("ioi.json")));
        browser = Browser.start(1280, 900);
        browser.openRendered(report);
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) browser.close();
    }

    @Test
    void attributionHeatmapsStandBesideTheirActivationPatchingTwins() throws Exception {
        assertThat(browser.severeLogs()).isEmpty();
        for (String[] pair : new String[][] {{"patching-resid_pre-heatmap", "attribution-resid_pre-heatmap"},
                {"patching-attn_head_out_all_pos-heatmap", "attribution-attn_head_out_all_pos-heatmap"},
                {"patching-block_every-attn_out", "attribution-block_every-attn_out"}}) {
            WebElement act = browser.driver.findElement(By.id(pair[0])), attr = browser.driver.findElement(By.id(pair[1]));
            // side by side: one line, the attribution on the right, both inside the page
            assertThat(attr.getRect().getY()).as(pair[1]).isEqualTo(act.getRect().getY());
            assertThat(attr.getRect().getX()).as(pair[1]).isGreaterThanOrEqualTo(act.getRect().getX() + act.getRect().getWidth());
            Number pageRight = (Number) browser.js("return document.querySelector('main').getBoundingClientRect().right;");
            assertThat(attr.getRect().getX() + attr.getRect().getWidth()).isLessThanOrEqualTo(pageRight.intValue() + 1);
            JsonNode a = spec(pair[0]), b = spec(pair[1]);
            assertThat(b.get("xLabels")).isEqualTo(a.get("xLabels"));
            assertThat(b.get("yLabels")).isEqualTo(a.get("yLabels"));
            assertThat(b.get("range")).isEqualTo(a.get("range"));
            FiguresAtScaleBrowserTest.shoot(browser, "patching-" + pair[1].split("-")[1], FiguresAtScaleBrowserTest.shots().resolve("report-" + pair[1] + ".png"));
        }
        // hovering an attribution cell shows the analysis' attribution value at [layer, pos]
        int layer = 1, pos = 11;
        String tip = hover("attribution-resid_pre-heatmap", pos, layer);
        float expected = (float) analysis.get("attribution").get("resid_pre").get("values").get(layer).get(pos).asDouble();
        assertThat(tip).contains("Layer 1").contains("Position gave_11").endsWith(Values.format(expected));
    }

    @Test
    void theCorrelationIsPearsonsROfTheTwoResults() {
        for (String kind : List.of("resid_pre", "attn_head_out_all_pos", "block_every")) {
            List<Double> x = flat(analysis.get("patching").get(kind).get("values")), y = flat(analysis.get("attribution").get(kind).get("values"));
            double mx = x.stream().mapToDouble(d -> d).average().orElseThrow(), my = y.stream().mapToDouble(d -> d).average().orElseThrow();
            double c = 0, vx = 0, vy = 0;
            for (int i = 0; i < x.size(); i++) {
                c += (x.get(i) - mx) * (y.get(i) - my);
                vx += (x.get(i) - mx) * (x.get(i) - mx);
                vy += (y.get(i) - my) * (y.get(i) - my);
            }
            String text = browser.driver.findElement(By.id("correlation-" + kind)).getText();
            String r = text.replaceAll("(?s).*?patching: r = (-?[0-9.]+) .*", "$1");
            assertThat(Double.parseDouble(r)).as(text).isCloseTo(c / Math.sqrt(vx * vy), within(1e-4));
            assertThat(text).contains("over " + x.size() + " values");
            assertThat(browser.driver.findElements(By.cssSelector("#scatter-" + kind + " canvas"))).as(kind + " scatter").isNotEmpty();
        }
    }

    @Test
    void aKindEstimatedOnlyByAttributionStandsAlone() {
        WebElement group = browser.driver.findElement(By.id("patching-mlp_out"));
        assertThat(group.findElements(By.cssSelector("figure.jlens-figure")).stream().map(f -> f.getAttribute("id")).toList())
                .containsExactly("attribution-mlp_out-heatmap");
        assertThat(group.getText()).contains("attribution patching only");
        assertThat(browser.driver.findElements(By.id("correlation-mlp_out"))).isEmpty();
        List<String> groups = browser.driver.findElements(By.cssSelector(".jlens-patching")).stream().map(e -> e.getAttribute("id")).toList();
        assertThat(groups).containsExactly("patching-resid_pre", "patching-attn_head_out_all_pos", "patching-attn_head_pattern_all_pos",
                "patching-block_every", "patching-mlp_out");
    }

    /** Each prompt's strips are the saliency of its own logit difference, computed here prompt by prompt. */
    @Test
    void saliencyStripsShowEachPromptsGradientTimesInputAndIntegratedGradients() throws Exception {
        HookedTransformer model = Fixtures.model("a");
        int prompts = analysis.get("prompts").size();
        assertThat(browser.driver.findElements(By.cssSelector(".jlens-saliency"))).hasSize(2 * prompts);
        for (int b : new int[] {0, 5}) {
            int[] tokens = Fixtures.ints(analysis.get("tokens").get(b)), answers = Fixtures.ints(analysis.get("answer_tokens").get(b));
            IntTensor one = IntTensor.of(new int[][] {tokens}), answer = IntTensor.of(new int[][] {answers});
            float[] gxi = Saliency.gradientTimesInput(model, one, GradientMetrics.logitDiff(answer)).toArray();
            float[] ig = Saliency.integratedGradients(model, one, GradientMetrics.logitDiff(answer), ExperimentReport.INTEGRATED_GRADIENTS_STEPS).toArray();
            for (String[] strip : new String[][] {{"saliency-gxi-" + b, "gradient x input"}, {"saliency-ig-" + b, "integrated gradients"}}) {
                WebElement e = browser.driver.findElement(By.id(strip[0]));
                assertThat(e.findElement(By.cssSelector(".jlens-tokens-caption")).getText()).isEqualTo("Prompt " + b + ": " + strip[1]);
                List<WebElement> chips = e.findElements(By.cssSelector(".jlens-tok"));
                assertThat(chips).hasSize(tokens.length);
                float[] expected = strip[0].contains("gxi") ? gxi : ig;
                for (int p = 0; p < tokens.length; p++) {
                    assertThat(Double.parseDouble(chips.get(p).getAttribute("data-value"))).as(strip[0] + " position " + p)
                            .isCloseTo(expected[p], within(2e-4 + 1e-4 * Math.abs(expected[p])));
                    assertThat(chips.get(p).getAttribute("title")).startsWith("position " + p + ": ");
                }
            }
        }
        FiguresAtScaleBrowserTest.shoot(browser, "saliency", FiguresAtScaleBrowserTest.shots().resolve("report-saliency.png"));
        List<String> order = browser.driver.findElements(By.cssSelector("section")).stream().map(e -> e.getAttribute("id")).toList();
        assertThat(order).endsWith("patching", "saliency");
    }

    private static JsonNode spec(String id) {
        return JsonMapper.shared().readTree(browser.driver.findElement(By.cssSelector("#" + id + " script.jlens-spec")).getAttribute("textContent"));
    }

    private static List<Double> flat(JsonNode n) {
        List<Double> out = new ArrayList<>();
        if (n.isNumber()) out.add(n.asDouble());
        else n.forEach(c -> out.addAll(flat(c)));
        return out;
    }

    private static String hover(String figureId, int x, int y) {
        Map<?, ?> at = (Map<?, ?>) browser.js("var p = jlens.chartOf(arguments[0]).convertToPixel({seriesIndex: 0}, [arguments[1], arguments[2]]);"
                + "return {x: p[0], y: p[1]};", figureId, x, y);
        WebElement chart = browser.driver.findElement(By.cssSelector("#" + figureId + " .jlens-chart"));
        new Actions(browser.driver).scrollToElement(chart).perform();
        int w = chart.getSize().getWidth(), h = chart.getSize().getHeight();
        new Actions(browser.driver).moveToElement(chart, (int) Math.round(((Number) at.get("x")).doubleValue() - w / 2.0),
                (int) Math.round(((Number) at.get("y")).doubleValue() - h / 2.0)).perform();
        new Actions(browser.driver).moveByOffset(1, 0).perform();
        By tip = By.cssSelector("#" + figureId + " .jlens-tooltip");
        return new WebDriverWait(browser.driver, Duration.ofSeconds(5)).until(d -> d.findElements(tip).stream().filter(WebElement::isDisplayed)
                .map(WebElement::getText).filter(t -> !t.isBlank()).findFirst().map(t -> t.replace('\n', ' ')).orElse(null));
    }
}
