package dev.jlens.viz;

import dev.jlens.Fixtures;
import dev.jlens.cli.Main;
import dev.jlens.testing.Browser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reports of prompts 38, 138 and 1024 tokens long on fixture A, in chromium: every figure fits the page with its
 * axes and color bar in view, labels do not overlap, and nothing is blank. Screenshots go to the folder named by
 * {@code jlens.screenshots} (default target/screenshots) to be looked at.
 */
@dev.jlens.testing.BrowserTest
class FiguresAtScaleBrowserTest {
    @TempDir
    static Path dir;
    static Browser browser;

    @BeforeAll
    static void start() {
        browser = Browser.start(1280, 900);
    }

    @AfterAll
    static void stop() {
        if (browser != null) browser.close();
    }

    /** A prompt of exactly {@code n} tokens with BOS: words that are one token each. */
    static String prompt(int n, String last) {
        String[] words = {" the", " cat", " sat", " on", " a", " mat", " and", " then", " went", " home"};
        StringBuilder b = new StringBuilder("When");
        for (int i = 0; i < n - 3; i++) b.append(words[i % words.length]);
        return b.append(last).toString();
    }

    static final Map<Integer, Path> reports = new java.util.HashMap<>();

    /** The report of an n-token prompt, made once for the tests that look at it. */
    static Path report(int n) throws Exception {
        if (reports.containsKey(n)) return reports.get(n);
        String spec = "{\"prompts\": [\"" + prompt(n, " John") + "\"], \"answers\": [[\" Mary\", \" John\"]], \"corrupted_prompts\": [\""
                + prompt(n, " Mary") + "\"], \"patching\": [\"resid_pre\", \"block_every\"], \"attribution\": [\"resid_pre\", \"block_every\"]}";
        Path specFile = dir.resolve("scale-" + n + ".json"), out = dir.resolve("scale-" + n + ".html");
        Files.writeString(specFile, spec);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"report", "--spec", specFile.toString(), "--model", Fixtures.modelDir("a").toString(), "--out", out.toString()},
                new Main.Streams(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                        false, Map.of("HF_HUB_OFFLINE", "1")));
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        reports.put(n, out);
        return out;
    }

    static Path shots() throws Exception {
        Path d = Path.of(System.getProperty("jlens.screenshots", "target/screenshots"));
        Files.createDirectories(d);
        return d;
    }

    @ParameterizedTest
    @ValueSource(ints = {38, 138, 1024})
    void reportFiguresStayReadable(int n) throws Exception {
        Path report = report(n);
        browser.driver.get(report.toUri().toString());
        new WebDriverWait(browser.driver, Duration.ofSeconds(60)).until(d -> d.findElements(By.cssSelector("figure.jlens-figure")).stream()
                .allMatch(f -> "true".equals(f.getAttribute("data-rendered"))));
        assertThat(browser.severeLogs()).isEmpty();
        List<String> heatmaps = new ArrayList<>();
        for (String id : List.of("resid_pre-heatmap", "block_every-resid_pre", "block_every-attn_out", "block_every-mlp_out")) {
            heatmaps.add("patching-" + id);
            heatmaps.add("attribution-" + id);   // beside it, at most half as wide
        }
        for (String id : heatmaps) {
            // the figure fits the page: nothing to scroll sideways, the color bar inside it
            Map<?, ?> box = (Map<?, ?>) browser.js("var f = document.getElementById(arguments[0]), r = f.getBoundingClientRect(),"
                    + " main = document.querySelector('main').getBoundingClientRect();"
                    + "return {scroll: f.scrollWidth, client: f.clientWidth, right: r.right, pageRight: main.right};", id);
            assertThat(((Number) box.get("scroll")).intValue()).as(id + " overflows").isLessThanOrEqualTo(((Number) box.get("client")).intValue());
            assertThat(((Number) box.get("right")).doubleValue()).as(id).isLessThanOrEqualTo(((Number) box.get("pageRight")).doubleValue());
            @SuppressWarnings("unchecked") List<Object> ticks = (List<Object>) browser.js("return jlens.chartOf(arguments[0]).getOption().graphic[0].elements"
                    + ".filter(function (e) { return e.name === 'colorbar-tick'; }).map(function (e) { return e.style.text; });", id);
            assertThat(ticks).as(id + " color bar").hasSize(5).contains("0.0000").noneMatch(t -> t.toString().startsWith("-0.0000"));
            // a heatmap whose labels are thinned zooms (its slider and the inside zoom); past 38 positions all are thinned
            Number zooms = (Number) browser.js("return (jlens.chartOf(arguments[0]).getOption().dataZoom || []).length;", id);
            Boolean thinned = (Boolean) browser.js("return JSON.parse(document.querySelector('#' + arguments[0] + ' script.jlens-spec').textContent).zoomX;", id);
            assertThat(zooms.intValue()).as(id + " zooms").isEqualTo(thinned ? 1 + 1 : 0);
            if (n > 38) assertThat(thinned).as(id + " thinned").isTrue();
        }
        {
            // zoomed in on 20 columns, every one of them is labeled, and the attribution twin follows
            String id = "patching-resid_pre-heatmap", twin = "attribution-resid_pre-heatmap";
            Number before = (Number) browser.js("return jlens.chartOf(arguments[0]).getOption().xAxis[0].axisLabel.interval;", id);
            assertThat(before.intValue()).as("labels thinned").isGreaterThan(0);
            browser.js("jlens.chartOf(arguments[0]).dispatchAction({type: 'dataZoom', startValue: 0, endValue: 19});", id);
            for (String zoomed : List.of(id, twin)) {
                Number after = (Number) browser.js("return jlens.chartOf(arguments[0]).getOption().xAxis[0].axisLabel.interval;", zoomed);
                assertThat(after.intValue()).as(zoomed + " labels zoomed in").isZero();
                Number end = (Number) browser.js("return jlens.chartOf(arguments[0]).getOption().dataZoom[0].endValue;", zoomed);
                assertThat(end.intValue()).as(zoomed).isEqualTo(19);
            }
            shoot("patching-resid_pre", shots().resolve(n + "-zoomed-resid_pre.png"));
        }
        // the three facets of block_every share one color scale
        List<?> ranges = (List<?>) browser.js("return ['resid_pre', 'attn_out', 'mlp_out'].map(function (p) {"
                + " return JSON.parse(document.querySelector('#patching-block_every-' + p + ' script.jlens-spec').textContent).range; });");
        assertThat(ranges.stream().distinct()).hasSize(1);
        // the saliency strips of a long prompt scroll within a few lines, as its tokens do
        Number saliencyHeight = (Number) browser.js("return document.getElementById('saliency-gxi-0').getBoundingClientRect().height;");
        assertThat(saliencyHeight.doubleValue()).as("saliency strip").isLessThan(400);
        assertThat(browser.driver.findElements(By.cssSelector("#saliency-gxi-0 .jlens-tok"))).hasSize(n);
        // the attention viewer fits the page too
        Number attnWidth = (Number) browser.js("return document.querySelector('#attention-top-positive .jlens-attn-grid').getBoundingClientRect().right"
                + " - document.querySelector('main').getBoundingClientRect().left;");
        assertThat(attnWidth.doubleValue()).isLessThanOrEqualTo(1140);
        Map<?, ?> attn = (Map<?, ?>) browser.js("var f = document.getElementById('attention-top-positive'); return {scroll: f.scrollWidth, client: f.clientWidth};");
        assertThat(((Number) attn.get("scroll")).intValue()).as("attention viewer overflows").isLessThanOrEqualTo(((Number) attn.get("client")).intValue());
        Number tokensHeight = (Number) browser.js("return document.getElementById('tokens-prompt-0').getBoundingClientRect().height;");
        assertThat(tokensHeight.doubleValue()).as("token strip").isLessThan(400);
        for (String id : List.of("test-prompt", "logit-lens", "per-layer", "per-head", "attention-top-positive", "tokens-prompt-0",
                "patching-resid_pre", "patching-block_every", "saliency")) {
            shoot(id, shots().resolve(n + "-" + id + ".png"));
        }
    }

    /**
     * The attention viewer zooms in place: its slider, Shift+wheel and a drag change the window of positions shown, the
     * grid and its color bar stay where they are, and zoomed in on 16 positions every one of them is labeled on both axes
     * at a readable size, the labels apart and naming the tokens in view.
     */
    @ParameterizedTest
    @ValueSource(ints = {38, 138, 1024})
    void attentionViewerZoomsToReadableLabels(int n) throws Exception {
        browser.driver.get(report(n).toUri().toString());
        new WebDriverWait(browser.driver, Duration.ofSeconds(60)).until(d -> "true".equals(
                d.findElement(By.id("attention-top-positive")).getAttribute("data-rendered")));
        org.openqa.selenium.WebElement viewer = browser.driver.findElement(By.id("attention-top-positive"));
        assertThat(viewer.getAttribute("data-view")).isEqualTo("0,0," + n);
        Map<?, ?> before = box("#attention-top-positive .jlens-attn-target");
        // the color bar: 0 to 1, beside the grid, inside the page
        @SuppressWarnings("unchecked") List<Object> ticks = (List<Object>) browser.js("return Array.prototype.map.call(document.querySelectorAll('#attention-top-positive .jlens-attn-colorbar-tick'),"
                + " function (t) { return t.textContent; });");
        assertThat(ticks).containsExactly("1.0000", "0.7500", "0.5000", "0.2500", "0.0000");
        Map<?, ?> bar = box("#attention-top-positive .jlens-attn-colorbar rect");
        assertThat(num(bar, "left")).isGreaterThan(num(before, "right"));
        assertThat(num(bar, "right") + 50).isLessThanOrEqualTo(num(box("main"), "right"));

        // the slider all the way: 16 positions from the middle of the pattern
        browser.js("var s = document.querySelector('#attention-top-positive .jlens-attn-zoom-slider'); s.value = '100';"
                + " s.dispatchEvent(new Event('input'));");
        String[] view = viewer.getAttribute("data-view").split(",");
        int x0 = Integer.parseInt(view[0]), y0 = Integer.parseInt(view[1]), span = Integer.parseInt(view[2]);
        assertThat(span).isEqualTo(16);
        assertThat(x0).isEqualTo(y0).isBetween(n / 2 - 9, n / 2 - 7);
        assertThat(viewer.getAttribute("data-label-step")).isEqualTo("1");
        List<String> tokens = tokensOf(n);
        for (String axis : List.of("qlabel", "klabel")) {
            List<?> labels = (List<?>) browser.js("return Array.prototype.map.call(document.querySelectorAll('#attention-top-positive .jlens-attn-' + arguments[0]),"
                    + " function (t) { var r = t.getBoundingClientRect(); return {pos: +t.getAttribute('data-pos'), text: t.firstChild.nodeValue,"
                    + " font: parseFloat(t.getAttribute('font-size')), x: r.left + r.width / 2, y: r.top + r.height / 2}; });", axis);
            assertThat(labels).as(axis).hasSize(16);
            for (int i = 0; i < 16; i++) {
                Map<?, ?> l = (Map<?, ?>) labels.get(i);
                assertThat(num(l, "pos")).as(axis).isEqualTo(x0 + i);
                assertThat(l.get("text")).as(axis + " " + i).isEqualTo(Html.visibleToken(tokens.get(x0 + i)));
                assertThat(num(l, "font")).as("font size").isGreaterThanOrEqualTo(10);
                if (i > 0) {
                    Map<?, ?> prev = (Map<?, ?>) labels.get(i - 1);
                    double gap = axis.equals("qlabel") ? num(l, "y") - num(prev, "y") : num(l, "x") - num(prev, "x");
                    assertThat(gap).as(axis + " gap before " + i).isGreaterThanOrEqualTo(num(l, "font") * 1.2);
                }
            }
        }
        // the grid, its labels and color bar stayed in place; nothing overflows the page
        Map<?, ?> after = box("#attention-top-positive .jlens-attn-target");
        assertThat(after).isEqualTo(before);
        Map<?, ?> attn = (Map<?, ?>) browser.js("var f = document.getElementById('attention-top-positive'); return {scroll: f.scrollWidth, client: f.clientWidth};");
        assertThat(num(attn, "scroll")).isLessThanOrEqualTo(num(attn, "client"));
        shoot("attention-top-positive", shots().resolve(n + "-attention-zoomed.png"));

        // hovering a cell in the zoomed view names the cell under the pointer
        org.openqa.selenium.WebElement target = viewer.findElement(By.cssSelector(".jlens-attn-target"));
        double cell = num(after, "width") / 16;
        new org.openqa.selenium.interactions.Actions(browser.driver).scrollToElement(target).perform();
        new org.openqa.selenium.interactions.Actions(browser.driver).moveToElement(target, (int) (-num(after, "width") / 2 + 2.5 * cell),
                (int) (-num(after, "height") / 2 + 5.5 * cell)).perform();
        assertThat(viewer.getAttribute("data-hover-cell")).isEqualTo((y0 + 5) + "," + (x0 + 2));
        // a drag to the upper left pans toward later positions, by as many cells as it moved
        new org.openqa.selenium.interactions.Actions(browser.driver).clickAndHold().moveByOffset((int) (-3 * cell), (int) (-2 * cell)).release().perform();
        String[] panned = viewer.getAttribute("data-view").split(",");
        assertThat(Integer.parseInt(panned[0])).isEqualTo(Math.min(n - 16, x0 + 3));
        assertThat(Integer.parseInt(panned[1])).isEqualTo(Math.min(n - 16, y0 + 2));
        // Shift+wheel zooms out around the pointer; the wheel alone leaves the view as it is
        String still = viewer.getAttribute("data-view");
        new org.openqa.selenium.interactions.Actions(browser.driver).scrollFromOrigin(
                org.openqa.selenium.interactions.WheelInput.ScrollOrigin.fromElement(target), 0, 120).perform();
        assertThat(viewer.getAttribute("data-view")).isEqualTo(still);
        new org.openqa.selenium.interactions.Actions(browser.driver).keyDown(org.openqa.selenium.Keys.SHIFT).scrollFromOrigin(
                org.openqa.selenium.interactions.WheelInput.ScrollOrigin.fromElement(target), 0, 120).keyUp(org.openqa.selenium.Keys.SHIFT).perform();
        assertThat(Integer.parseInt(viewer.getAttribute("data-view").split(",")[2])).isEqualTo(20);
        // and "all" shows every position again
        viewer.findElement(By.cssSelector(".jlens-attn-zoom-reset")).click();
        assertThat(viewer.getAttribute("data-view")).isEqualTo("0,0," + n);
        assertThat(browser.severeLogs()).isEmpty();
    }

    /** The report's tokens of the n-token prompt, as the attention viewer's spec holds them. */
    static List<String> tokensOf(int n) {
        List<?> tokens = (List<?>) browser.js("return JSON.parse(document.querySelector('#attention-top-positive script.jlens-spec').textContent).tokens;");
        assertThat(tokens).hasSize(n);
        return tokens.stream().map(Object::toString).toList();
    }

    static Map<?, ?> box(String selector) {
        return (Map<?, ?>) browser.js("var r = document.querySelector(arguments[0]).getBoundingClientRect();"
                + " return {left: r.left + scrollX, top: r.top + scrollY, right: r.right + scrollX, width: r.width, height: r.height};", selector);
    }

    static double num(Map<?, ?> m, String key) {
        return ((Number) m.get(key)).doubleValue();
    }

    /** A screenshot of one element, whole even where it is wider or taller than the window. */
    static void shoot(String id, Path file) throws Exception {
        shoot(browser, id, file);
    }

    /** A screenshot of one element of {@code browser}'s page. */
    static void shoot(Browser browser, String id, Path file) throws Exception {
        Map<?, ?> r = (Map<?, ?>) browser.js("var r = document.getElementById(arguments[0]).getBoundingClientRect();"
                + "return {x: r.left + scrollX, y: r.top + scrollY, w: r.width, h: r.height};", id);
        Map<String, Object> shot = browser.driver.executeCdpCommand("Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true,
                "clip", Map.of("x", r.get("x"), "y", r.get("y"), "width", r.get("w"), "height", r.get("h"), "scale", 1)));
        Files.write(file, java.util.Base64.getDecoder().decode((String) shot.get("data")));
    }
}
