package dev.jlens.viz;

import dev.jlens.Fixtures;
import dev.jlens.cli.Main;
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

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The report of examples/ioi.json on fixture A, in Debian's chromium: it loads with no console error, shows every
 * figure of the seed's analysis, hovering a heatmap cell shows the number of {@code jlens analyze}'s JSON, and the
 * attention viewer enlarges the chosen head and highlights a hovered token's row and column.
 */
@dev.jlens.testing.BrowserTest
class ReportBrowserTest {
    @TempDir
    static Path dir;
    static Path report;
    static JsonNode analysis;
    static String html;
    static Browser browser;

    static void jlens(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = Main.run(args, new Main.Streams(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false, Map.of("HF_HUB_OFFLINE", "1")));
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).as("only the line saying what was written").matches("jlens: wrote \\S+ \\([^)]*\\)\\n");
    }

    @BeforeAll
    static void makeReport() throws Exception {
        String model = Fixtures.modelDir("a").toString();
        report = dir.resolve("ioi.html");
        jlens("report", "--spec", "examples/ioi.json", "--model", model, "--out", report.toString());
        jlens("analyze", "--spec", "examples/ioi.json", "--model", model, "--out", dir.resolve("ioi.json").toString());
        analysis = JsonMapper.shared().readTree(Files.readString(dir.resolve("ioi.json")));
        html = Files.readString(report);
        browser = Browser.start(1280, 900);
        browser.driver.get(report.toUri().toString());
        new WebDriverWait(browser.driver, Duration.ofSeconds(20)).until(d -> d.findElements(By.cssSelector("figure.jlens-figure")).stream()
                .allMatch(f -> "true".equals(f.getAttribute("data-rendered"))));
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) browser.close();
    }

    @Test
    void pageReferencesNothingOutsideItself() {
        // the markup outside the inlined scripts (whose code mentions tags in strings)
        String markup = Pattern.compile("(?is)(<script\\b[^>]*>).*?</script>").matcher(html).replaceAll("$1</script>");
        assertThat(markup.length()).isLessThan(html.length() / 2);
        Matcher m = Pattern.compile("(?i)<(script|link|img|iframe|source|audio|video|embed|object)\\b[^>]*>").matcher(markup);
        while (m.find()) {
            String tag = m.group();
            assertThat(tag).as("a tag that could load something").doesNotContainPattern("(?i)\\s(src|href|data)\\s*=\\s*\"(?!data:)");
        }
        assertThat(markup).doesNotContainPattern("(?i)@import|url\\(\\s*['\"]?(https?:|//)");
        // and the browser fetched nothing: no resource entries at all
        Object resources = browser.js("return performance.getEntriesByType('resource').map(function (e) { return e.name; });");
        assertThat((List<?>) resources).isEmpty();
    }

    @Test
    void loadsWithoutConsoleErrors() {
        assertThat(browser.severeLogs()).isEmpty();
        assertThat(browser.js("return typeof echarts + ' ' + typeof jlens;")).isEqualTo("object object");
    }

    @Test
    void showsEveryFigureOfTheSeedsAnalysisInOrder() {
        List<String> expected = List.of("logit-lens", "per-layer", "per-head", "attention-top-positive", "attention-top-negative",
                "patching-resid_pre-heatmap", "patching-attn_head_out_all_pos-heatmap", "patching-attn_head_pattern_all_pos-heatmap",
                "patching-block_every-resid_pre", "patching-block_every-attn_out", "patching-block_every-mlp_out");
        List<String> ids = browser.driver.findElements(By.cssSelector("figure.jlens-figure")).stream().map(e -> e.getAttribute("id")).toList();
        assertThat(ids).containsExactlyElementsOf(expected);
        for (String id : expected) {
            WebElement fig = browser.driver.findElement(By.id(id));
            assertThat(fig.getAttribute("data-rendered")).as(id).isEqualTo("true");
            assertThat(fig.getSize().getHeight()).as(id + " height").isGreaterThan(100);
            if (!id.startsWith("attention")) {
                assertThat(fig.findElements(By.tagName("canvas"))).as(id + " draws a chart").isNotEmpty();
            }
        }
        for (String kind : List.of("resid_pre", "attn_head_out_all_pos", "attn_head_pattern_all_pos", "block_every")) {
            assertThat(browser.driver.findElements(By.id("patching-" + kind))).as(kind).hasSize(1);
        }
        // the sections before the figures: provenance, experiment file, tokens, top-k tables, logit differences
        assertThat(browser.driver.findElement(By.id("provenance")).getText()).contains("tiny-gpt2-a").contains("examples/ioi.json");
        assertThat(browser.driver.findElement(By.id("experiment-file")).getText()).contains("\"corrupted_prompts\"");
        assertThat(browser.driver.findElements(By.cssSelector("#tokens-prompt-0 .jlens-tok"))).hasSize(15);
        assertThat(browser.driver.findElement(By.id("tokens-corrupted-0")).getText()).contains("Mary");
        assertThat(browser.driver.findElements(By.cssSelector("#tokens-corrupted-0 .jlens-tok-marked")).stream().map(WebElement::getText).toList())
                .containsExactly(" Mary10");   // the one token that differs, with its position
        assertThat(browser.driver.findElements(By.cssSelector("table[id^=top-k-]"))).hasSize(8);
        assertThat(browser.driver.findElement(By.id("logit-diffs")).getText())
                .contains(Values.format((float) analysis.get("per_prompt_logit_diff").get(0).asDouble()));
        assertThat(browser.driver.findElement(By.id("logit-diff-summary")).getText())
                .contains(Values.format((float) analysis.get("corrupted_average_logit_diff").asDouble()));
        List<String> order = browser.driver.findElements(By.cssSelector("section")).stream().map(e -> e.getAttribute("id")).toList();
        assertThat(order).containsExactly("experiment", "prompts", "test-prompt", "logit-diff", "logit-lens-section", "per-layer-section",
                "per-head-section", "attention", "patching");
    }

    @Test
    void hoveringAPerHeadCellShowsItsValue() {
        int layer = 2, head = 1;
        String tip = hover("per-head", head, layer);
        float expected = (float) analysis.get("per_head").get(layer).get(head).asDouble();
        assertThat(tip).startsWith("L2H1").endsWith(Values.format(expected));
        assertThat(value("per-head")).isEqualTo(Values.format(expected));
    }

    @Test
    void hoveringAPatchingCellNamesItsPositionAndValue() {
        int layer = 1, pos = 11;
        String tip = hover("patching-resid_pre-heatmap", pos, layer);
        float expected = (float) analysis.get("patching").get("resid_pre").get("values").get(layer).get(pos).asDouble();
        assertThat(tip).contains("Layer 1").contains("Position gave_11").endsWith(Values.format(expected));
    }

    @Test
    void hoveringTheLogitLensShowsTheLabel() {
        Map<?, ?> at = (Map<?, ?>) browser.js("var c = jlens.chartOf('logit-lens'); var p = c.convertToPixel({seriesIndex: 0}, [3, 0]);"
                + "return {x: p[0], y: p[1]};");
        WebElement chart = browser.driver.findElement(By.cssSelector("#logit-lens .jlens-chart"));
        moveTo(chart, ((Number) at.get("x")).doubleValue(), ((Number) at.get("y")).doubleValue());
        String tip = tooltip("logit-lens");
        assertThat(tip).contains(analysis.get("logit_lens_labels").get(3).asString())
                .contains(Values.format((float) analysis.get("logit_lens").get(3).asDouble()));
    }

    @Test
    void attentionViewerEnlargesTheChosenHeadAndFollowsTheHoveredToken() {
        WebElement viewer = browser.driver.findElement(By.id("attention-top-positive"));
        List<WebElement> thumbs = viewer.findElements(By.cssSelector(".jlens-head-thumb"));
        assertThat(thumbs).hasSize(3);
        int second = analysis.get("top3_positive_heads").get(1).asInt();
        String label = "L" + second / 4 + "H" + second % 4;
        assertThat(thumbs.get(1).getAttribute("data-head")).isEqualTo(label);
        thumbs.get(1).click();
        assertThat(viewer.getAttribute("data-selected-head")).isEqualTo(label);
        assertThat(viewer.findElement(By.cssSelector(".jlens-attn-selected")).getText()).isEqualTo(label);
        assertThat(thumbs.get(1).getAttribute("class")).contains("jlens-selected");

        WebElement token = viewer.findElements(By.cssSelector(".jlens-attn-tokens .jlens-token")).get(4);
        new Actions(browser.driver).moveToElement(token).perform();
        assertThat(viewer.getAttribute("data-focus-token")).isEqualTo("4");
        assertThat(viewer.findElement(By.cssSelector(".jlens-attn-row-hl")).getAttribute("visibility")).isEqualTo("visible");
        assertThat(viewer.findElement(By.cssSelector(".jlens-attn-info")).getText()).contains("\u2018 Mary\u2019 (4) attends to").contains("attended to by");
        assertThat(viewer.findElements(By.cssSelector(".jlens-attn-qlabel.jlens-focus"))).hasSize(1);
        browser.screenshot("report-attention-hover");
        new Actions(browser.driver).moveToElement(browser.driver.findElement(By.tagName("h1"))).perform();
        assertThat(viewer.getAttribute("data-focus-token")).isNull();
        assertThat(browser.severeLogs()).isEmpty();
    }

    /** The eight test_prompt tables lay out in a regular grid: equal widths, in columns that line up. */
    @Test
    void testPromptTablesLayOutInARegularGrid() {
        List<org.openqa.selenium.Rectangle> boxes = browser.driver.findElements(By.cssSelector("table[id^=top-k-]")).stream().map(WebElement::getRect).toList();
        assertThat(boxes).hasSize(8);
        assertThat(boxes.stream().map(org.openqa.selenium.Rectangle::getWidth).distinct()).as("widths").hasSize(1);
        long columns = boxes.stream().map(org.openqa.selenium.Rectangle::getX).distinct().count();
        assertThat(columns).isBetween(2L, 4L);
        // a full row holds as many tables as there are columns, each row's tables on one line
        assertThat(boxes.subList(0, (int) columns).stream().map(org.openqa.selenium.Rectangle::getY).distinct()).hasSize(1);
        // and no cell is cut short: every token, rank and number shows whole
        Number cut = (Number) browser.js("return Array.prototype.filter.call(document.querySelectorAll('table[id^=top-k-] td'),"
                + " function (td) { return td.scrollWidth > td.clientWidth; }).length;");
        assertThat(cut.intValue()).as("cells cut short").isZero();
    }

    /** The per-layer and logit-lens charts have a categorical x axis labeled with the components. */
    @Test
    void componentChartsHaveCategoricalAxes() {
        for (String[] c : new String[][] {{"per-layer", "per_layer_labels"}, {"logit-lens", "logit_lens_labels"}}) {
            Map<?, ?> axis = (Map<?, ?>) browser.js("return jlens.chartOf(arguments[0]).getOption().xAxis[0];", c[0]);
            assertThat(axis.get("type")).isEqualTo("category");
            List<String> labels = new java.util.ArrayList<>();
            analysis.get(c[1]).forEach(l -> labels.add(l.asString()));
            assertThat(((List<?>) axis.get("data")).stream().map(Object::toString).toList()).as(c[0]).containsExactlyElementsOf(labels);
        }
    }

    @Test
    void numbersArePrintedAlikeInJavaAndInTheBrowser() {
        java.util.Random rnd = new java.util.Random(5);
        List<Float> values = new java.util.ArrayList<>(List.of(0f, -0f, 0.00012345f, -123456.7f, 99999.99f, 1.00005f, 0.0005f, 0.001f, -0.00099999f));
        for (int i = 0; i < 300; i++) values.add((float) ((rnd.nextDouble() - 0.5) * Math.pow(10, rnd.nextInt(9) - 4)));
        StringBuilder json = new StringBuilder("[");
        for (float v : values) json.append(json.length() > 1 ? "," : "").append(Float.toString(v));
        List<?> printed = (List<?>) browser.js("return JSON.parse(arguments[0]).map(jlens.fmt);", json.append(']').toString());
        for (int i = 0; i < values.size(); i++) assertThat(printed.get(i)).as("%s", values.get(i)).isEqualTo(Values.format(values.get(i)));
    }

    @Test
    void screenshotOfTheWholeReport() throws Exception {
        Path shot = browser.screenshot("report");
        assertThat(Files.size(shot)).isGreaterThan(50_000);
    }

    // ---- helpers -------------------------------------------------------------------------------------

    /** Moves the mouse over cell (x, y) of a heatmap figure and returns its tooltip's text. */
    private String hover(String figureId, int x, int y) {
        Map<?, ?> at = (Map<?, ?>) browser.js("var p = jlens.chartOf(arguments[0]).convertToPixel({seriesIndex: 0}, [arguments[1], arguments[2]]);"
                + "return {x: p[0], y: p[1]};", figureId, x, y);
        WebElement chart = browser.driver.findElement(By.cssSelector("#" + figureId + " .jlens-chart"));
        moveTo(chart, ((Number) at.get("x")).doubleValue(), ((Number) at.get("y")).doubleValue());
        return tooltip(figureId);
    }

    private void moveTo(WebElement chart, double x, double y) {
        new Actions(browser.driver).scrollToElement(chart).perform();
        int w = chart.getSize().getWidth(), h = chart.getSize().getHeight();
        new Actions(browser.driver).moveToElement(chart, (int) Math.round(x - w / 2.0), (int) Math.round(y - h / 2.0)).perform();
        // a second small move: ECharts shows the tooltip on mousemove
        new Actions(browser.driver).moveByOffset(1, 0).perform();
    }

    private String tooltip(String figureId) {
        By tip = By.cssSelector("#" + figureId + " .jlens-tooltip");
        return new WebDriverWait(browser.driver, Duration.ofSeconds(5)).until(d -> {
            List<WebElement> tips = d.findElements(tip);
            return tips.stream().filter(WebElement::isDisplayed).map(WebElement::getText).filter(t -> !t.isBlank())
                    .findFirst().map(t -> t.replace('\n', ' ')).orElse(null);
        });
    }

    private String value(String figureId) {
        return browser.driver.findElement(By.cssSelector("#" + figureId + " .jlens-tooltip .jlens-value")).getText();
    }
}
