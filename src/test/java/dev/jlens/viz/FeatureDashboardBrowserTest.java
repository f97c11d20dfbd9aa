package dev.jlens.viz;

import dev.jlens.Fixtures;
import dev.jlens.sae.SaeFixtures;
import dev.jlens.testing.Browser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code jlens sae dashboard}'s page in chromium: the histogram is drawn, the top examples are visible with their
 * peak token colored more strongly than a token where the feature is 0, and the logit effects table is there.
 */
@dev.jlens.testing.BrowserTest
class FeatureDashboardBrowserTest {
    @TempDir
    static Path dir;
    static Browser browser;

    @BeforeAll
    static void makePage() throws Exception {
        Path corpus = Files.writeString(dir.resolve("c.txt"), "The cat sat on the mat and looked at the dog.\nA bird flew over the house, then over the river.\n");
        Path page = dir.resolve("feature.html");
        String[] r = dev.jlens.cli.CliRunnerAccess.run("sae", "dashboard", "--model", Fixtures.modelDir("a").toString(), "--sae", SaeFixtures.folder("standard").toString(),
                "--dataset", corpus.toString(), "--context", "8", "--feature", "3", "--k", "4", "--out", page.toString());
        assertThat(r[0]).as(r[2]).isEqualTo("0");
        browser = Browser.start(1280, 900);
        browser.openRendered(page);
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) browser.close();
    }

    @Test
    void theHistogramExamplesAndLogitEffectsAreShown() {
        assertThat(browser.severeLogs()).isEmpty();
        WebElement histogram = browser.driver.findElement(By.id("feature-histogram"));
        assertThat(histogram.isDisplayed()).isTrue();
        assertThat(histogram.getRect().getHeight()).isGreaterThan(100);
        List<WebElement> examples = browser.driver.findElements(By.cssSelector("[id^=feature-example-]"));
        assertThat(examples).isNotEmpty();
        for (WebElement example : examples) {
            assertThat(example.isDisplayed()).isTrue();
            List<WebElement> tokens = example.findElements(By.cssSelector(".jlens-tok"));
            WebElement peak = tokens.getFirst(), zero = null;
            for (WebElement t : tokens) {
                double v = Double.parseDouble(t.getAttribute("data-value"));
                if (v > Double.parseDouble(peak.getAttribute("data-value"))) peak = t;
                if (v == 0) zero = t;
            }
            String peakColor = peak.getCssValue("background-color");
            assertThat(peakColor).as("peak token's color").isNotEqualTo("rgba(0, 0, 0, 0)").isNotEqualTo("rgba(255, 255, 255, 1)");
            if (zero != null) assertThat(zero.getCssValue("background-color")).as("a zero token's color").isNotEqualTo(peakColor);
        }
        WebElement logits = browser.driver.findElement(By.id("feature-logits"));
        assertThat(logits.isDisplayed()).isTrue();
        assertThat(logits.findElements(By.cssSelector("tbody tr"))).hasSize(10);
    }
}
