package dev.jlens.kernel;

import dev.jlens.Fixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.jlens.testing.Browser;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.jlens.Fixtures.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Debian's Jupyter runs examples/seed-notebook.ipynb top to bottom on jlens' kernel (installed into a temporary
 * prefix) on fixture A; the executed notebook must hold no error, TransformerLens' numbers for each step, and the
 * figures as HTML.
 */
@dev.jlens.testing.JupyterTest
@dev.jlens.testing.BrowserTest
class SeedNotebookInJupyterTest {
    static final String NBCONVERT = "jupyter-nbconvert";

    @TempDir
    static Path dir;
    static Path executed;

    /** Installs the kernel into a temporary prefix and has Jupyter execute the notebook once for the tests below. */
    @BeforeAll
    static void executeTheNotebook() throws Exception {
        Path kernels = KernelSpec.prefixKernels(dir.resolve("prefix"));
        KernelSpec.install(kernels);
        executed = dir.resolve("executed.ipynb");
        nbconvert(kernels, "--to", "notebook", "--execute",
                "--ExecutePreprocessor.startup_timeout=600", "--ExecutePreprocessor.timeout=1200",
                "--output", executed.toString(), Path.of("examples/seed-notebook.ipynb").toAbsolutePath().toString());
    }

    static void nbconvert(Path kernels, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(NBCONVERT));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> env = pb.environment();
        env.put("JUPYTER_PATH", kernels.getParent().toString());
        env.put("JUPYTER_DATA_DIR", dir.resolve("data").toString());
        env.put("JUPYTER_CONFIG_DIR", dir.resolve("config").toString());
        env.put("JUPYTER_RUNTIME_DIR", dir.resolve("runtime").toString());
        env.put("JLENS_NOTEBOOK_MODEL", Fixtures.modelDir("a").toAbsolutePath().toString());
        Path log = dir.resolve("nbconvert.log");
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        Process p = pb.start();
        if (!p.waitFor(30, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("nbconvert did not finish in 30 minutes");
        }
        assertThat(p.exitValue()).as("nbconvert exit code; its log:\n" + Files.readString(log)).isZero();
    }

    @Test
    void theSeedNotebookRunsInJupyterWithTransformerLensNumbersAndFigures() throws Exception {
        JsonNode notebook = JsonMapper.builder().build().readTree(Files.readString(executed));
        List<JsonNode> outputs = new ArrayList<>();
        StringBuilder printed = new StringBuilder();
        for (JsonNode cell : notebook.get("cells")) {
            if (!cell.has("outputs")) continue;
            for (JsonNode o : cell.get("outputs")) {
                outputs.add(o);
                assertThat(o.get("output_type").asString()).as("an output of the cell:\n" + text(cell.get("source"))).isNotEqualTo("error");
                if (o.get("output_type").asString().equals("stream")) printed.append(text(o.get("text")));
            }
        }
        String out = printed.toString();
        JsonNode ref = Fixtures.reference("a");
        JsonNode pets = ref.get("cases").get("pets_sentence_swap");
        assertClose("model loss", number(out, "Model loss: "), ref.get("loss_1234").asDouble());
        assertThat(out).contains(ref.get("test_prompt").get(0).get("output").asString());
        assertClose("average logit diff", number(out, "Average logit difference: "), pets.get("average_logit_diff").asDouble());
        assertClose("calculated", number(out, "Calculated average logit diff: "), pets.get("calculated_average_logit_diff").asDouble());
        assertClose("logit lens", numbers(line(out, "Logit lens " + Fixtures.strings(pets.get("logit_lens_labels")).toString().replace("[", "\\[") + ": ")),
                Fixtures.floats(pets.get("logit_lens")));
        assertClose("per layer", numbers(line(out, "Per layer [^:]*: ")), Fixtures.floats(pets.get("per_layer")));
        assertClose("per head", numbers(line(out, "Per head logit differences: ")), Fixtures.floats(pets.get("per_head")));
        assertThat(line(out, "Top 3 positive logit attribution heads: ")).isEqualTo(Arrays.toString(Fixtures.ints(pets.get("top3_positive_heads"))));
        assertThat(line(out, "Top 3 negative logit attribution heads: ")).isEqualTo(Arrays.toString(Fixtures.ints(pets.get("top3_negative_heads"))));
        assertClose("corrupted", number(out, "Corrupted Average Logit Diff "), pets.get("corrupted_average_logit_diff").asDouble());
        assertClose("patched resid_pre", numbers(line(out, "Patched residual stream: ")), Fixtures.floats(pets.get("patch_resid_pre_manual")));
        assertThat(number(out, "Largest difference between the two: ")).isLessThan(1e-5f);

        int[] sweep = Fixtures.ints(pets.get("get_act_patch_resid_pre_shape"));
        String progressDone = "resid_pre patching: " + sweep[0] * sweep[1] + " of " + sweep[0] * sweep[1];
        assertThat(outputs).as("the sweep's progress line, updated to its end").anyMatch(o -> o.has("data")
                && text(o.get("data").get("text/plain")).equals(progressDone));

        for (String title : List.of("Logit Difference From Accumulate Residual Stream", "Logit Difference From Each Layer",
                "Logit Difference From Each Head", "Top 3 Positive Logit Attribution Heads", "Top 3 Negative Logit Attribution Heads",
                "Logit Difference From Patched Residual Stream")) {
            JsonNode shown = outputs.stream().filter(o -> o.has("data") && text(o.get("data").get("text/plain")).contains(title))
                    .findFirst().orElseThrow(() -> new AssertionError("no output shows the figure " + title));
            assertThat(text(shown.get("data").get("text/html"))).as(title).contains("class=\"jlens-figure").contains(title).contains("<script");
            assertThat(text(shown.get("data").get("image/svg+xml"))).as(title).startsWith("<svg");
        }
    }

    @Test
    void theNotebooksHtmlExportDrawsEveryFigureInChromium() throws Exception {
        Path html = dir.resolve("executed.html");
        nbconvert(KernelSpec.prefixKernels(dir.resolve("prefix")), "--to", "html", "--output", html.toString(), executed.toString());
        try (Browser browser = Browser.start(1200, 900)) {
            browser.driver.get(html.toUri().toString());
            List<WebElement> figures = browser.driver.findElements(By.cssSelector("figure.jlens-figure"));
            assertThat(figures).hasSize(7);
            new WebDriverWait(browser.driver, Duration.ofSeconds(30)).until(d -> d.findElements(By.cssSelector("figure.jlens-figure")).stream()
                    .allMatch(f -> "true".equals(f.getAttribute("data-rendered"))));
            for (WebElement f : figures) assertThat(f.getSize().getHeight()).as(f.getAttribute("id")).isGreaterThan(100);
            // the charts drew something: ECharts' canvases and the attention viewers' SVG grids
            assertThat(browser.driver.findElements(By.cssSelector("figure.jlens-figure canvas"))).hasSizeGreaterThanOrEqualTo(5);
            assertThat(browser.driver.findElements(By.cssSelector("figure.jlens-attention svg"))).isNotEmpty();
            assertThat(browser.severeLogs()).isEmpty();
            browser.screenshot("seed-notebook-export");
        }
    }

    /** Jupyter stores multi-line text as a list of lines (or one string). */
    private static String text(JsonNode n) {
        if (n == null) return "";
        if (!n.isArray()) return n.asString();
        StringBuilder b = new StringBuilder();
        n.forEach(l -> b.append(l.asString()));
        return b.toString();
    }

    private static String line(String text, String prefixPattern) {
        Matcher m = Pattern.compile("^" + prefixPattern + "(.*)$", Pattern.MULTILINE).matcher(text);
        assertThat(m.find()).as("a line matching '" + prefixPattern + "' in:\n" + text).isTrue();
        return m.group(1);
    }

    private static float number(String text, String prefix) {
        return Float.parseFloat(line(text, Pattern.quote(prefix)).trim());
    }

    private static float[] numbers(String list) {
        String[] parts = list.replaceAll("[\\[\\]\\s]", "").split(",");
        float[] out = new float[parts.length];
        for (int i = 0; i < out.length; i++) out[i] = Float.parseFloat(parts[i]);
        return out;
    }

}
