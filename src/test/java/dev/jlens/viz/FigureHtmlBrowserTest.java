package dev.jlens.viz;

import dev.jlens.testing.Browser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Each figure's own {@code toHtml()} page in chromium: drawn without errors, with hostile tokens shown as text, never run. */
@dev.jlens.testing.BrowserTest
class FigureHtmlBrowserTest {
    @TempDir
    static Path dir;
    static Browser browser;

    @BeforeAll
    static void start() {
        browser = Browser.start(1100, 800);
    }

    @AfterAll
    static void stop() {
        if (browser != null) browser.close();
    }

    private void open(Figure f, String name) throws Exception {
        Path file = dir.resolve(name + ".html");
        Files.writeString(file, f.toHtml());
        browser.driver.get(file.toUri().toString());
        new WebDriverWait(browser.driver, Duration.ofSeconds(10)).until(d -> "true".equals(d.findElement(By.cssSelector("figure.jlens-figure")).getAttribute("data-rendered")));
        assertThat(browser.severeLogs()).as(name).isEmpty();
        assertThat(browser.js("return window.__pwned === undefined;")).isEqualTo(true);
    }

    @Test
    void everyKindDrawsItselfAndShowsHostileTokensAsText() throws Exception {
        for (Figure f : FigureExportTest.figures()) {
            String name = Figures.kind(f) + "-" + Math.abs(f.title().hashCode());
            open(f.withId("fig"), name);
            assertThat(browser.driver.findElement(By.id("fig")).getSize().getWidth()).isGreaterThan(100);
        }
        // the attention viewer's token strip shows the tokens literally
        open(FigureExportTest.figures().get(4).withId("fig"), "attention");
        List<String> chips = browser.driver.findElements(By.cssSelector(".jlens-attn-tokens .jlens-token")).stream().map(WebElement::getText).toList();
        assertThat(chips.get(1)).isEqualTo(" </script><script>alert(1)</script>");   // leading space kept
        assertThat(chips.get(3)).isEqualTo("\\n");
        assertThat(browser.driver.findElements(By.cssSelector("script:not([type]), script[type='text/javascript']")).size()).isEqualTo(2);   // jlens' renderer and its call; no ECharts needed here
    }

    @Test
    void scatterShowsLabelAndColorValueOnHover() throws Exception {
        ScatterPlot s = (ScatterPlot) FigureExportTest.figures().get(3);
        open(s.withId("fig"), "scatter");
        Map<?, ?> at = (Map<?, ?>) browser.js("var p = jlens.chartOf('fig').convertToPixel({seriesIndex: 0}, [2, 1]); return {x: p[0], y: p[1]};");
        WebElement chart = browser.driver.findElement(By.cssSelector("#fig .jlens-chart"));
        int w = chart.getSize().getWidth(), h = chart.getSize().getHeight();
        new Actions(browser.driver).moveToElement(chart, (int) Math.round(((Number) at.get("x")).doubleValue() - w / 2.0),
                (int) Math.round(((Number) at.get("y")).doubleValue() - h / 2.0)).moveByOffset(1, 0).perform();
        String tip = new WebDriverWait(browser.driver, Duration.ofSeconds(5)).until(d -> d.findElements(By.cssSelector("#fig .jlens-tooltip"))
                .stream().filter(WebElement::isDisplayed).map(WebElement::getText).filter(t -> !t.isBlank()).findFirst().orElse(null));
        assertThat(tip.replace('\n', ' ')).isEqualTo("b& (2.0000, 1.0000) attr 0.0000");
        assertThat(s.tooltip(1)).isEqualTo("b&: (2.0000, 1.0000), attr 0.0000");
    }
}
