package dev.jlens.cli;

import dev.jlens.testing.Browser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code jlens batch --report}: the dataset page loads in chromium with no console error and draws its figures (the
 * histogram of logit differences, the per-head mean and spread), with values recomputed here from the table's rows.
 */
@dev.jlens.testing.BrowserTest
class DatasetReportBrowserTest {
    @TempDir
    static Path dir;
    static List<Map<String, Object>> rows;
    static Path page;
    static Browser browser;

    @BeforeAll
    static void makeReport() throws Exception {
        Path data = BatchCommandTest.ioi(dir, 12);
        Path out = dir.resolve("r.parquet");
        page = dir.resolve("r.html");
        CliRunner.Result r = CliRunner.run("batch", "--model", BatchCommandTest.MODEL, "--dataset", data.toString(), "--out", out.toString(),
                "--report", page.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).contains("wrote " + page);
        rows = ParquetRows.read(out);
        browser = Browser.start(1280, 900);
        browser.openRendered(page);
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) browser.close();
    }

    @Test
    void rendersItsFiguresWithoutConsoleErrors() {
        List<String> ids = browser.driver.findElements(By.cssSelector("figure.jlens-figure")).stream().map(e -> e.getAttribute("id")).toList();
        assertThat(ids).containsExactly("logit-diff-histogram", "per-head-mean", "per-head-std");
        for (String id : ids) {
            WebElement fig = browser.driver.findElement(By.id(id));
            assertThat(fig.getSize().getHeight()).as(id + " height").isGreaterThan(100);
            assertThat(fig.findElements(By.tagName("canvas"))).as(id + " draws a chart").isNotEmpty();
        }
        assertThat(browser.severeLogs()).isEmpty();
        assertThat((List<?>) browser.js("return performance.getEntriesByType('resource').map(function (e) { return e.name; });"))
                .as("the page fetches nothing").isEmpty();
    }

    @Test
    void theHistogramCountsEveryPrompt() {
        Number total = (Number) browser.js("return jlens.chartOf('logit-diff-histogram').getOption().series[0].data"
                + ".reduce(function (s, d) { return s + (Array.isArray(d) ? d[d.length - 1] : (d.value !== undefined ? d.value[d.value.length - 1] : d)); }, 0);");
        assertThat(total.intValue()).isEqualTo(rows.size());
    }

    @Test
    void hoveringAHeadShowsItsMeanOverThePrompts() {
        int layer = 3, head = 2;
        double mean = rows.stream().mapToDouble(r -> (Float) ((List<?>) ((List<?>) r.get("per_head")).get(layer)).get(head)).average().orElseThrow();
        Map<?, ?> at = (Map<?, ?>) browser.js("var p = jlens.chartOf('per-head-mean').convertToPixel({seriesIndex: 0}, [arguments[0], arguments[1]]);"
                + "return {x: p[0], y: p[1]};", head, layer);
        WebElement chart = browser.driver.findElement(By.cssSelector("#per-head-mean .jlens-chart"));
        new Actions(browser.driver).scrollToElement(chart).perform();
        int w = chart.getSize().getWidth(), h = chart.getSize().getHeight();
        new Actions(browser.driver).moveToElement(chart, (int) Math.round(((Number) at.get("x")).doubleValue() - w / 2.0),
                (int) Math.round(((Number) at.get("y")).doubleValue() - h / 2.0)).perform();
        new Actions(browser.driver).moveByOffset(1, 0).perform();
        String tip = new WebDriverWait(browser.driver, Duration.ofSeconds(5)).until(d -> d.findElements(By.cssSelector("#per-head-mean .jlens-tooltip")).stream()
                .filter(WebElement::isDisplayed).map(WebElement::getText).filter(t -> !t.isBlank()).findFirst().orElse(null));
        assertThat(tip.replace('\n', ' ')).startsWith("L3H2").endsWith(dev.jlens.viz.Values.format((float) mean));
    }

    @Test
    void listsThePromptsFarthestFromTheMeanFirst() {
        double mean = rows.stream().mapToDouble(r -> (Float) r.get("logit_diff")).average().orElseThrow();
        Map<String, Object> farthest = rows.stream().max(Comparator.comparingDouble(r -> Math.abs((Float) r.get("logit_diff") - mean))).orElseThrow();
        List<WebElement> cells = browser.driver.findElements(By.cssSelector("#deviating-prompts tbody tr:first-child td"));
        assertThat(cells.get(0).getText()).isEqualTo(farthest.get("row").toString());
        assertThat(cells.get(1).getText()).isEqualTo(farthest.get("prompt"));
        assertThat(browser.driver.findElements(By.cssSelector("#deviating-prompts tbody tr"))).hasSize(10);
        assertThat(browser.driver.findElement(By.id("summary")).getText()).contains("12");
        assertThat(browser.driver.findElements(By.id("summary-per-template"))).hasSize(1);
    }
}
