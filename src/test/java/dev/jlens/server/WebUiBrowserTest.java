package dev.jlens.server;

import dev.jlens.Fixtures;
import dev.jlens.testing.Browser;
import dev.jlens.testing.TransformerLensPatching;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The web UI in Debian's chromium: a typed prompt is answered with new figures, and a long sweep can be cancelled. */
@dev.jlens.testing.BrowserTest
class WebUiBrowserTest {
    static final AtomicLong delay = new AtomicLong();
    static JlensServer server;
    static Browser browser;

    @BeforeAll
    static void start() {
        server = JlensServer.builder(Fixtures.model("a")).port(0).modelName("tiny-gpt2-a").progressObserver((done, total) -> {
            long ms = delay.get();
            if (ms > 0) {
                try {
                    Thread.sleep(ms);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }).start();
        browser = Browser.start(1280, 900);
    }

    @AfterAll
    static void stop() {
        try {
            if (browser != null) browser.close();
        } finally {
            server.close();
        }
    }

    private WebDriverWait waiting(int seconds) {
        return new WebDriverWait(browser.driver, Duration.ofSeconds(seconds));
    }

    private void open() {
        browser.driver.get(server.uri().toString());
        waiting(10).until(d -> d.findElement(By.id("model-name")).getText().equals("tiny-gpt2-a")
                && !d.findElements(By.id("kind-resid_pre")).isEmpty());
    }

    private void type(String id, String text) {
        WebElement input = browser.driver.findElement(By.id(id));
        input.clear();
        input.sendKeys(text);
    }

    private void choose(String kind, boolean on) {
        WebElement box = browser.driver.findElement(By.id("kind-" + kind));
        if (box.isSelected() != on) box.click();
    }

    private void chooseAttribution(String kind, boolean on) {
        WebElement box = browser.driver.findElement(By.id("attribution-kind-" + kind));
        if (box.isSelected() != on) box.click();
    }

    @Test
    void answersATypedPromptWithUpdatedFigures() {
        open();
        // the seed's figures only: no attribution patching
        for (String kind : TransformerLensPatching.HELPERS.keySet()) chooseAttribution(kind, false);
        type("prompt-0", "When Tom and James went to the park, James gave the ball to");
        type("correct-0", " Tom");
        type("incorrect-0", " James");
        type("corrupted-0", "When Tom and James went to the park, Tom gave the ball to");
        choose("resid_pre", true);
        choose("attn_head_out_all_pos", true);
        browser.driver.findElement(By.id("run")).click();
        waiting(60).until(d -> d.findElement(By.id("status")).getText().equals("Done."));
        WebElement results = browser.driver.findElement(By.id("results"));
        List<String> ids = results.findElements(By.cssSelector("figure.jlens-figure")).stream().map(e -> e.getAttribute("id")).toList();
        assertThat(ids).containsExactly("logit-lens", "per-layer", "per-head", "attention-top-positive", "attention-top-negative",
                "patching-resid_pre-heatmap", "patching-attn_head_out_all_pos-heatmap");
        waiting(10).until(d -> d.findElements(By.cssSelector("#results figure.jlens-figure")).stream()
                .allMatch(f -> "true".equals(f.getAttribute("data-rendered"))));
        assertThat(browser.driver.findElement(By.id("tokens-prompt-0")).getText()).contains("Tom").contains("James").contains("ball");
        assertThat(browser.driver.findElement(By.id("experiment-file")).getText()).contains("When Tom and James went to the park, James gave the ball to");
        assertThat(results.findElements(By.cssSelector("#per-head canvas"))).isNotEmpty();
        assertThat(browser.driver.findElement(By.id("progress")).getAttribute("value")).isEqualTo("76");
        String first = results.getAttribute("data-job");
        browser.screenshot("ui");

        // a second prompt replaces the figures
        type("prompt-0", "After Martin and Amy went to the park, Amy gave a drink to");
        type("correct-0", " Martin");
        type("incorrect-0", " Amy");
        type("corrupted-0", "After Martin and Amy went to the park, Martin gave a drink to");
        browser.driver.findElement(By.id("run")).click();
        waiting(60).until(d -> !first.equals(d.findElement(By.id("results")).getAttribute("data-job"))
                && d.findElement(By.id("status")).getText().equals("Done."));
        assertThat(browser.driver.findElement(By.id("tokens-prompt-0")).getText()).contains("Martin").contains("drink").doesNotContain("Tom");
        assertThat(browser.severeLogs()).isEmpty();
    }

    @Test
    void aLongSweepShowsProgressAndCanBeCancelled() {
        open();
        delay.set(40);
        try {
            choose("block_every", true);
            browser.driver.findElement(By.id("run")).click();
            waiting(30).until(d -> d.findElement(By.id("status")).getText().startsWith("Patching: ")
                    && !d.findElement(By.id("status")).getText().startsWith("Patching: 0 "));
            browser.driver.findElement(By.id("cancel")).click();
            waiting(30).until(d -> d.findElement(By.id("status")).getText().startsWith("Cancelled after"));
            String status = browser.driver.findElement(By.id("status")).getText();
            int done = Integer.parseInt(status.replaceAll("Cancelled after (\\d+) of (\\d+).*", "$1"));
            int total = Integer.parseInt(status.replaceAll("Cancelled after (\\d+) of (\\d+).*", "$2"));
            assertThat(total).isEqualTo(60 + 16 + 3 * 60);
            assertThat(done).isLessThan(total);
            assertThat(browser.driver.findElement(By.id("run")).isEnabled()).isTrue();
            assertThat(browser.severeLogs()).isEmpty();
        } finally {
            delay.set(0);
        }
    }

    /**
     * The page offers the kinds the server lists, all of TransformerLens' helpers in its order with the seed's two
     * ticked, and each chosen one comes back drawn in TransformerLens' index order (checked on the job's figures
     * against its result) and rendered.
     */
    @Test
    void offersEveryPatchingKindAndDrawsEach() throws Exception {
        open();
        List<WebElement> boxes = browser.driver.findElements(By.cssSelector("#kinds input"));
        assertThat(boxes.stream().map(b -> b.getAttribute("value")).toList()).containsExactlyElementsOf(TransformerLensPatching.HELPERS.keySet());
        assertThat(boxes.stream().filter(WebElement::isSelected).map(b -> b.getAttribute("value")).toList())
                .containsExactly("resid_pre", "attn_head_out_all_pos");
        assertThat(browser.driver.findElement(By.id("kind-attn_head_pattern_by_pos")).findElement(By.xpath("..")).getAttribute("title"))
                .isEqualTo("get_act_patch_attn_head_pattern_by_pos \u2192 [layer, head_index, dest_pos]");
        type("prompt-0", "1 2 3 4");
        type("correct-0", " 5");
        type("incorrect-0", " 6");
        type("corrupted-0", "7 2 3 4");
        // attribution patching is offered for every kind too, all ticked but the [dest, src] one (a heatmap per head)
        List<WebElement> attribution = browser.driver.findElements(By.cssSelector("#attribution-kinds input"));
        assertThat(attribution.stream().map(b -> b.getAttribute("value")).toList()).containsExactlyElementsOf(TransformerLensPatching.HELPERS.keySet());
        assertThat(attribution.stream().filter(b -> !b.isSelected()).map(b -> b.getAttribute("value")).toList())
                .containsExactly("attn_head_pattern_dest_src_pos");
        for (String kind : TransformerLensPatching.HELPERS.keySet()) choose(kind, true);
        chooseAttribution("attn_head_pattern_dest_src_pos", true);
        browser.driver.findElement(By.id("run")).click();
        waiting(120).until(d -> d.findElement(By.id("status")).getText().matches("Done\\.|.*rror.*|Cancelled.*"));
        assertThat(browser.driver.findElement(By.id("status")).getText()).isEqualTo("Done.");
        String id = browser.driver.findElement(By.id("results")).getAttribute("data-job");
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.uri().resolve("/api/jobs/" + id)).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode job = JsonMapper.shared().readTree(r.body());
        for (TransformerLensPatching.Helper h : TransformerLensPatching.HELPERS.values()) {
            TransformerLensPatching.checkFigures(h, job.get("result").get("patching").get(h.id()), job.get("html").asString());
            // each attribution heatmap beside it: the result's attribution values in the same index order, and their correlation
            TransformerLensPatching.checkFigures(h, job.get("result").get("attribution").get(h.id()), job.get("html").asString(), "attribution");
            assertThat(job.get("html").asString()).contains("<p id=\"correlation-" + h.id() + "\">Correlation of attribution with activation patching: r = ");
        }
        assertThat(browser.driver.findElements(By.cssSelector("#results .jlens-saliency"))).hasSize(2);
        waiting(30).until(d -> d.findElements(By.cssSelector("#results figure.jlens-figure")).stream()
                .allMatch(f -> "true".equals(f.getAttribute("data-rendered"))));
        assertThat(browser.severeLogs()).isEmpty();
    }

    /** Where screenshots of the form go to be looked at (outside the repository when given). */
    private static java.nio.file.Path shot(String name) throws Exception {
        java.nio.file.Path dir = java.nio.file.Path.of(System.getProperty("jlens.screenshots", "target/screenshots"));
        java.nio.file.Files.createDirectories(dir);
        return java.nio.file.Files.copy(browser.screenshot(name), dir.resolve(name + ".png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private void addRow(String prompt, String correct, String incorrect, String corrupted) {
        int i = browser.driver.findElements(By.cssSelector("#rows .app-row")).size();
        browser.driver.findElement(By.id("add-row")).click();
        type("prompt-" + i, prompt);
        type("correct-" + i, correct);
        type("incorrect-" + i, incorrect);
        if (!corrupted.isEmpty()) type("corrupted-" + i, corrupted);
    }

    /** An optional corrupted prompt left blank is absent: never sent as a prompt of BOS alone. */
    @Test
    void blankCorruptedPromptsAreAbsentNotBosOnly() throws Exception {
        open();
        addRow("When John and Mary went to the shops, Mary gave the bag to", " John", " Mary", "");
        String before = browser.driver.findElement(By.id("results")).getAttribute("data-job");
        browser.driver.findElement(By.id("run")).click();
        waiting(10).until(d -> d.findElement(By.id("status")).getAttribute("class").equals("error"));
        assertThat(browser.driver.findElement(By.id("status")).getText())
                .isEqualTo("Row 2: the corrupted prompt is blank; give one for every row, or none");
        assertThat(browser.driver.findElement(By.id("run")).isEnabled()).isTrue();
        assertThat(browser.driver.findElement(By.id("results")).getAttribute("data-job")).isEqualTo(before);
        shot("ui-blank-corrupted");

        type("corrupted-0", "   ");   // spaces only: blank too
        browser.driver.findElement(By.id("run")).click();
        waiting(60).until(d -> d.findElement(By.id("status")).getText().matches("Done\\.|.*rror.*|Row.*|request.*"));
        assertThat(browser.driver.findElement(By.id("status")).getText()).isEqualTo("Done.");
        assertThat(browser.driver.findElements(By.cssSelector("#results [id^=tokens-corrupted-]"))).isEmpty();
        assertThat(browser.driver.findElements(By.cssSelector("#results #patching"))).isEmpty();
        assertThat(browser.driver.findElement(By.id("experiment-file")).getText()).doesNotContain("corrupted_prompts");
        assertThat(browser.severeLogs()).isEmpty();
    }

    /** The only row's remove button is disabled and says why; with two rows both remove, and ids follow the rows. */
    @Test
    void theLastRowCannotBeRemovedAndSaysSo() {
        open();
        WebElement only = browser.driver.findElement(By.cssSelector("#rows .app-row .app-remove"));
        assertThat(only.isEnabled()).isFalse();
        assertThat(only.getAttribute("title")).isEqualTo("an analysis needs at least one prompt");
        addRow("a b", " c", " d", "");
        List<WebElement> removes = browser.driver.findElements(By.cssSelector("#rows .app-remove"));
        assertThat(removes).allMatch(WebElement::isEnabled);
        removes.get(0).click();
        assertThat(browser.driver.findElements(By.cssSelector("#rows .app-row"))).hasSize(1);
        assertThat(browser.driver.findElement(By.id("prompt-0")).getAttribute("value")).isEqualTo("a b");
        assertThat(browser.driver.findElement(By.cssSelector("#rows .app-remove")).isEnabled()).isFalse();
    }

    /** Each column header starts where its inputs start and is as wide. */
    @Test
    void columnHeadersSitOverTheirInputs() throws Exception {
        open();
        addRow("a b", " c", " d", "");
        List<WebElement> heads = browser.driver.findElements(By.cssSelector(".app-rows-head span"));
        List<WebElement> inputs = browser.driver.findElements(By.cssSelector("#rows .app-row:first-child > *"));
        assertThat(heads).hasSize(inputs.size());
        for (int i = 0; i < heads.size(); i++) {
            assertThat(heads.get(i).getRect().getX()).as("column %d", i).isCloseTo(inputs.get(i).getRect().getX(), org.assertj.core.data.Offset.offset(1));
            assertThat(heads.get(i).getRect().getWidth()).as("column %d", i).isCloseTo(inputs.get(i).getRect().getWidth(), org.assertj.core.data.Offset.offset(1));
        }
        shot("ui-form");
    }

    /** A done analysis offers its result JSON and its report as a standalone page, to save. */
    @Test
    void aDoneAnalysisOffersItsResultAndReportAsFiles() throws Exception {
        open();
        assertThat(browser.driver.findElement(By.id("downloads")).isDisplayed()).isFalse();
        browser.driver.findElement(By.id("run")).click();
        waiting(60).until(d -> d.findElement(By.id("status")).getText().equals("Done."));
        String id = browser.driver.findElement(By.id("results")).getAttribute("data-job");
        WebElement result = browser.driver.findElement(By.id("download-result")), report = browser.driver.findElement(By.id("download-report"));
        assertThat(result.isDisplayed()).isTrue();
        assertThat(result.getAttribute("href")).isEqualTo(server.uri().resolve("/api/jobs/" + id + "/result.json").toString());
        assertThat(report.getAttribute("download")).isNotNull();
        HttpClient client = HttpClient.newHttpClient();
        JsonNode job = JsonMapper.shared().readTree(client.send(HttpRequest.newBuilder(server.uri().resolve("/api/jobs/" + id)).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        HttpResponse<String> json = client.send(HttpRequest.newBuilder(java.net.URI.create(result.getAttribute("href"))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(json.headers().firstValue("Content-Disposition")).hasValue("attachment; filename=\"jlens-" + id.substring(0, 8) + "-result.json\"");
        assertThat(JsonMapper.shared().readTree(json.body())).isEqualTo(job.get("result"));
        HttpResponse<String> html = client.send(HttpRequest.newBuilder(java.net.URI.create(report.getAttribute("href"))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(html.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        // the saved page stands alone: opened as a file, it draws every figure with nothing fetched
        java.nio.file.Path saved = java.nio.file.Files.createTempFile("jlens-report-", ".html");
        try {
            java.nio.file.Files.writeString(saved, html.body());
            browser.driver.get(saved.toUri().toString());
            waiting(30).until(d -> !d.findElements(By.cssSelector("figure.jlens-figure")).isEmpty() && d.findElements(By.cssSelector("figure.jlens-figure")).stream()
                    .allMatch(f -> "true".equals(f.getAttribute("data-rendered"))));
            assertThat(browser.driver.findElements(By.id("per-head"))).hasSize(1);
            assertThat(browser.severeLogs()).isEmpty();
        } finally {
            java.nio.file.Files.delete(saved);
        }
        assertThat(client.send(HttpRequest.newBuilder(server.uri().resolve("/api/jobs/" + "0".repeat(32) + "/report.html")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
    }
}
