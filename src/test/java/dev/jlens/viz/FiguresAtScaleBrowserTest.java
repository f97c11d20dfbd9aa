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

    static Path report(int n) throws Exception {
        String spec = "{\"prompts\": [\"" + prompt(n, " John") + "\"], \"answers\": [[\" Mary\", \" John\"]], \"corrupted_prompts\": [\""
                + prompt(n, " Mary") + "\"], \"patching\": [\"resid_pre\", \"block_every\"]}";
        Path specFile = dir.resolve("scale-" + n + ".json"), out = dir.resolve("scale-" + n + ".html");
        Files.writeString(specFile, spec);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"report", "--spec", specFile.toString(), "--model", Fixtures.modelDir("a").toString(), "--out", out.toString()},
                new Main.Streams(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                        false, Map.of("HF_HUB_OFFLINE", "1")));
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
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
        for (String id : List.of("patching-resid_pre-heatmap", "patching-block_every-resid_pre", "patching-block_every-attn_out", "patching-block_every-mlp_out")) {
            // the figure fits the page: nothing to scroll sideways, the color bar inside it
            Map<?, ?> box = (Map<?, ?>) browser.js("var f = document.getElementById(arguments[0]), r = f.getBoundingClientRect(),"
                    + " main = document.querySelector('main').getBoundingClientRect();"
                    + "return {scroll: f.scrollWidth, client: f.clientWidth, right: r.right, pageRight: main.right};", id);
            assertThat(((Number) box.get("scroll")).intValue()).as(id + " overflows").isLessThanOrEqualTo(((Number) box.get("client")).intValue());
            assertThat(((Number) box.get("right")).doubleValue()).as(id).isLessThanOrEqualTo(((Number) box.get("pageRight")).doubleValue());
            @SuppressWarnings("unchecked") List<Object> ticks = (List<Object>) browser.js("return jlens.chartOf(arguments[0]).getOption().graphic[0].elements"
                    + ".filter(function (e) { return e.name === 'colorbar-tick'; }).map(function (e) { return e.style.text; });", id);
            assertThat(ticks).as(id + " color bar").hasSize(5).contains("0.0000").noneMatch(t -> t.toString().startsWith("-0.0000"));
            Number zooms = (Number) browser.js("return (jlens.chartOf(arguments[0]).getOption().dataZoom || []).length;", id);
            assertThat(zooms.intValue()).as(id + " zooms").isEqualTo(n > 38 ? 1 + 1 : 0);
        }
        if (n > 38) {
            // zoomed in on 38 columns, every one of them is labeled
            String id = "patching-resid_pre-heatmap";
            Number before = (Number) browser.js("return jlens.chartOf(arguments[0]).getOption().xAxis[0].axisLabel.interval;", id);
            assertThat(before.intValue()).as("labels thinned").isGreaterThan(0);
            browser.js("jlens.chartOf(arguments[0]).dispatchAction({type: 'dataZoom', startValue: 0, endValue: 37});", id);
            Number after = (Number) browser.js("return jlens.chartOf(arguments[0]).getOption().xAxis[0].axisLabel.interval;", id);
            assertThat(after.intValue()).as("labels zoomed in").isZero();
            shoot(id, shots().resolve(n + "-zoomed-resid_pre.png"));
        }
        // the three facets of block_every share one color scale
        List<?> ranges = (List<?>) browser.js("return ['resid_pre', 'attn_out', 'mlp_out'].map(function (p) {"
                + " return JSON.parse(document.querySelector('#patching-block_every-' + p + ' script.jlens-spec').textContent).range; });");
        assertThat(ranges.stream().distinct()).hasSize(1);
        // the attention viewer fits the page too
        Number attnWidth = (Number) browser.js("return document.querySelector('#attention-top-positive .jlens-attn-grid').getBoundingClientRect().right"
                + " - document.querySelector('main').getBoundingClientRect().left;");
        assertThat(attnWidth.doubleValue()).isLessThanOrEqualTo(1140);
        Map<?, ?> attn = (Map<?, ?>) browser.js("var f = document.getElementById('attention-top-positive'); return {scroll: f.scrollWidth, client: f.clientWidth};");
        assertThat(((Number) attn.get("scroll")).intValue()).as("attention viewer overflows").isLessThanOrEqualTo(((Number) attn.get("client")).intValue());
        Number tokensHeight = (Number) browser.js("return document.getElementById('tokens-prompt-0').getBoundingClientRect().height;");
        assertThat(tokensHeight.doubleValue()).as("token strip").isLessThan(400);
        for (String id : List.of("test-prompt", "logit-lens", "per-layer", "per-head", "attention-top-positive", "tokens-prompt-0",
                "patching-resid_pre-heatmap", "patching-block_every")) {
            shoot(id, shots().resolve(n + "-" + id + ".png"));
        }
    }

    /** A screenshot of one element, whole even where it is wider or taller than the window. */
    static void shoot(String id, Path file) throws Exception {
        Map<?, ?> r = (Map<?, ?>) browser.js("var r = document.getElementById(arguments[0]).getBoundingClientRect();"
                + "return {x: r.left + scrollX, y: r.top + scrollY, w: r.width, h: r.height};", id);
        Map<String, Object> shot = browser.driver.executeCdpCommand("Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true,
                "clip", Map.of("x", r.get("x"), "y", r.get("y"), "width", r.get("w"), "height", r.get("h"), "scale", 1)));
        Files.write(file, java.util.Base64.getDecoder().decode((String) shot.get("data")));
    }
}
