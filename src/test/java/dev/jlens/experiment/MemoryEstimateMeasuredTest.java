package dev.jlens.experiment;

import dev.jlens.Fixtures;
import dev.jlens.bench.RandomGpt2;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link MemoryEstimate} is an upper bound of the heap an analysis needs, and not a wild one: for each experiment
 * shape, a JVM of its own ({@link MemoryProbe}) measures the most heap the web server's job (analysis, report page,
 * result JSON) holds live at once beyond the loaded model, collecting garbage without pause while it runs; the
 * estimate must be at least that, and at most 3 times that plus the fixed part. A second JVM whose heap is just the
 * baseline plus the estimate must then run the job to its end.
 */
class MemoryEstimateMeasuredTest {
    static final String IOI = "When John and Mary went to the shops, John gave the bag to";
    static final String IOI_CORRUPTED = "When John and Mary went to the shops, Mary gave the bag to";

    @TempDir
    Path dir;

    @Test
    void oneShortPromptWithoutCorruptedPrompts() throws Exception {
        check(Fixtures.modelDir("a"), experiment(1, IOI, null), "1g");
    }

    @Test
    void oneShortPromptWithPatching() throws Exception {
        check(Fixtures.modelDir("a"), experiment(1, IOI, IOI_CORRUPTED, "resid_pre", "attn_head_out_all_pos", "block_every"), "1g");
    }

    /** Where the logits dominate: the cache keeps its own copy of them, which the estimate once missed (a 1.8x undercount). */
    @Test
    void eightLongPromptsWithoutPatching() throws Exception {
        String prompt = "word ".repeat(120).strip();
        check(Fixtures.modelDir("a"), experiment(8, prompt + " a", null), "1g");
    }

    @Test
    @Tag("exhaustive")
    void eightLongPromptsWithPatching() throws Exception {
        String prompt = "word ".repeat(120).strip();
        check(Fixtures.modelDir("a"), experiment(8, prompt + " a", prompt + " b", "resid_pre", "attn_head_out_all_pos"), "2g");
    }

    /** Where the attention patterns dominate: two prompts of 400 tokens. */
    @Test
    @Tag("exhaustive")
    void twoVeryLongPromptsWithPatching() throws Exception {
        String prompt = "word ".repeat(398).strip();
        check(Fixtures.modelDir("a"), experiment(2, prompt + " a", prompt + " b", "resid_pre", "attn_head_pattern_all_pos"), "2g");
    }

    /** A model of more realistic width (4 layers, 12 heads, d_model 384, random weights), with every kind of sweep's memory. */
    @Test
    @Tag("exhaustive")
    void aWiderRandomModel() throws Exception {
        Path model = dir.resolve("random");
        RandomGpt2.write(model, 4, 12, 384, 1, Fixtures.modelDir("a"));
        check(model, experiment(4, IOI, IOI_CORRUPTED, "resid_pre", "attn_out", "attn_head_out_by_pos", "block_every"), "2g");
    }

    private Path experiment(int prompts, String prompt, String corrupted, String... patching) throws IOException {
        StringBuilder json = new StringBuilder("{\"prompts\": [").append(repeat(prompts, quote(prompt))).append("], \"answers\": [")
                .append(repeat(prompts, "[\" Mary\", \" John\"]")).append(']');
        if (corrupted != null) json.append(", \"corrupted_prompts\": [").append(repeat(prompts, quote(corrupted))).append(']');
        if (patching.length > 0) json.append(", \"patching\": [").append(String.join(", ", List.of(patching).stream().map(MemoryEstimateMeasuredTest::quote).toList())).append(']');
        Path file = Files.createTempFile(dir, "experiment", ".json");
        Files.writeString(file, json.append('}').toString(), StandardCharsets.UTF_8);
        return file;
    }

    private static String repeat(int n, String s) {
        return String.join(", ", Collections.nCopies(n, s));
    }

    private static String quote(String s) {
        return "\"" + s + "\"";
    }

    private static void check(Path model, Path experiment, String measuringHeap) throws Exception {
        List<String> measured = probe(measuringHeap, model, experiment, "measure");
        long baseline = value(measured, "baseline"), estimate = value(measured, "estimate"), peak = value(measured, "peak");
        String what = "estimate %.1f MB, measured peak %.1f MB".formatted(estimate / 1048576.0, peak / 1048576.0);
        System.out.println(experiment.getFileName() + ": " + what);
        assertThat(estimate).as(what).isGreaterThanOrEqualTo(peak);
        assertThat(estimate).as(what).isLessThanOrEqualTo(3 * peak + MemoryEstimate.FIXED_BYTES);
        // a heap of the baseline and the estimate runs the job to its end (16 MB more: the analysis' own check
        // wants the estimate free after the warm-up's garbage is collected, and that is not collected to the byte)
        long heapMb = ((baseline + estimate) >> 20) + 16;
        List<String> ran = probe(heapMb + "m", model, experiment, "run");
        assertThat(ran).as("a %d MB heap (%s)", heapMb, what).contains("ok");
    }

    private static long value(List<String> lines, String name) {
        for (String line : lines) {
            String[] words = line.split(" ");
            for (int i = 0; i + 1 < words.length; i++) if (words[i].equals(name)) return Long.parseLong(words[i + 1]);
        }
        throw new AssertionError("no " + name + " in " + lines);
    }

    private static List<String> probe(String heap, Path model, Path experiment, String mode) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(java, "-Xmx" + heap, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), MemoryProbe.class.getName(), model.toString(), experiment.toString(), mode)
                .redirectErrorStream(true).start();
        try {
            List<String> lines = new ArrayList<>(new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList());
            assertThat(child.waitFor(5, TimeUnit.MINUTES)).isTrue();
            lines.removeIf(l -> l.startsWith("WARNING"));
            assertThat(child.exitValue()).as(String.join("\n", lines)).isZero();
            return lines;
        } finally {
            child.destroyForcibly();
        }
    }
}
