package dev.jlens.examples;

import dev.jlens.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.jlens.Fixtures.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Compiles examples/SeedNotebook.java (the seed notebook ported to Java) against the library, runs it on
 * fixture A and checks what it prints against TransformerLens' numbers for the same steps.
 */
class SeedNotebookTest {
    @Test
    void thePortedNotebookRunsAndPrintsTransformerLensNumbers(@TempDir Path classes) throws Exception {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int status = javac.run(null, diagnostics, diagnostics, "--add-modules", "jdk.incubator.vector",
                "-cp", System.getProperty("java.class.path"), "-d", classes.toString(), "examples/SeedNotebook.java");
        assertThat(status).as(diagnostics.toString(StandardCharsets.UTF_8)).isZero();

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            loader.loadClass("SeedNotebook").getMethod("main", String[].class)
                    .invoke(null, (Object) new String[] {Fixtures.modelDir("a").toString()});
        } finally {
            System.setOut(original);
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        JsonNode ref = Fixtures.reference("a");
        JsonNode pets = ref.get("cases").get("pets_sentence_swap");

        assertClose("model loss", number(printed, "Model loss: "), ref.get("loss_1234").asDouble());
        assertThat(printed).contains(ref.get("test_prompt").get(0).get("output").asString());
        assertClose("average logit diff", number(printed, "Average logit difference: "), pets.get("average_logit_diff").asDouble());
        assertClose("calculated", number(printed, "Calculated average logit diff: "), pets.get("calculated_average_logit_diff").asDouble());
        assertClose("corrupted", number(printed, "Corrupted Average Logit Diff "), pets.get("corrupted_average_logit_diff").asDouble());
        assertThat(line(printed, "Top 3 positive logit attribution heads: ")).isEqualTo(Arrays.toString(Fixtures.ints(pets.get("top3_positive_heads"))));
        assertThat(line(printed, "Top 3 negative logit attribution heads: ")).isEqualTo(Arrays.toString(Fixtures.ints(pets.get("top3_negative_heads"))));
        assertThat(line(printed, "Answer residual directions shape: ")).isEqualTo("[1, 2, 64]");
        assertThat(line(printed, "Logit difference directions shape: ")).isEqualTo("[1, 64]");
        assertThat(number(printed, "Largest difference between the two: ")).isLessThan(1e-5f);
    }

    /** The command in the example's own comment, run as written from a folder laid out as the repository. */
    @Test
    void theDocumentedCommandRunsAsWritten(@TempDir Path root) throws Exception {
        String source = java.nio.file.Files.readString(Path.of("examples/SeedNotebook.java"));
        Matcher documented = Pattern.compile("<pre>\\s*\\*\\s*(\\./jlens [^\\n]+)\\n").matcher(source);
        assertThat(documented.find()).as("a ./jlens command in a <pre> block").isTrue();
        String command = documented.group(1).strip();
        Process p;
        String printed;
        try (dev.jlens.testing.LauncherCopy copy = dev.jlens.testing.LauncherCopy.make(root)) {
            ProcessBuilder pb = copy.command().command("bash", "-c", command).redirectErrorStream(true);
            p = pb.start();
            p.getOutputStream().close();
            printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(300, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        }
        assertThat(p.exitValue()).as(command + " printed:\n" + printed).isZero();
        JsonNode pets = Fixtures.reference("a").get("cases").get("pets_sentence_swap");
        assertThat(line(printed, "Top 3 positive logit attribution heads: ")).isEqualTo(Arrays.toString(Fixtures.ints(pets.get("top3_positive_heads"))));
    }

    private static String line(String text, String prefix) {
        Matcher m = Pattern.compile("^" + Pattern.quote(prefix) + "(.*)$", Pattern.MULTILINE).matcher(text);
        assertThat(m.find()).as("a line starting with '" + prefix + "' in:\n" + text).isTrue();
        return m.group(1);
    }

    private static float number(String text, String prefix) {
        return Float.parseFloat(line(text, prefix).trim());
    }
}
