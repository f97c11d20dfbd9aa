package dev.jlens.experiment;

import dev.jlens.testing.Fuzz;
import dev.jlens.testing.RandomCases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The experiment-file reader on arbitrary text and bytes and on mutations of the example files: it returns an experiment
 * or throws a one-line JlensException, never anything else, never hangs. What it returns is consistent (one
 * answer pair and, if any, one corrupted prompt per prompt; patching only with corrupted prompts). The
 * exhaustive variants run 10^5 tries each.
 */
class ExperimentFuzzTest {
    private static final List<String> FIELDS = List.of("model", "prepend_bos", "prompts", "answers", "corrupted_prompts", "patching", "prompt", "");
    private static final String JSONISH = "{}[]\",:0123456789.-eE truefalsnul\\u00d8prompts answers patching resid_pre \ud800";
    private static final List<JsonNode> EXAMPLES = new ArrayList<>();
    private static final List<byte[]> EXAMPLE_BYTES = new ArrayList<>();
    private static Fuzz fuzz;

    @BeforeAll
    static void load() throws IOException {
        try (var files = Files.list(Path.of("examples"))) {
            for (Path p : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                EXAMPLE_BYTES.add(Files.readAllBytes(p));
                EXAMPLES.add(JsonMapper.shared().readTree(p.toFile()));
            }
        }
        assertThat(EXAMPLES).hasSizeGreaterThanOrEqualTo(3);
        fuzz = new Fuzz(Duration.ofSeconds(20));
    }

    @AfterAll
    static void stop() {
        fuzz.close();
    }

    private static void parseSurvives(String text) {
        fuzz.survives(() -> consistent(Experiment.parse("fuzz.json", text)));
    }

    /** Bytes go through the decoding a file or a request body gets: strict UTF-8, a byte order mark skipped. */
    private static void parseSurvives(byte[] bytes) {
        fuzz.survives(() -> consistent(Experiment.parse("fuzz.json", bytes)));
    }

    private static void consistent(Experiment e) {
        assertThat(e.prompts()).isNotEmpty();
        assertThat(e.answers()).hasSameSizeAs(e.prompts());
        if (e.hasCorruptedPrompts()) assertThat(e.corruptedPrompts()).hasSameSizeAs(e.prompts());
        else assertThat(e.patching()).isEmpty();
        assertThat(e.patching()).doesNotHaveDuplicates();
    }

    private static String anyText(Random r) {
        return r.nextBoolean() ? RandomCases.anyChars(r, 300) : RandomCases.fromAlphabet(r, JSONISH, 300);
    }

    /** Any bytes; half of the time JSON-ish UTF-8 with a few bytes overwritten, so that some of it decodes. */
    private static byte[] anyBytes(Random r) {
        if (r.nextBoolean()) return RandomCases.bytes(r, 300);
        byte[] text = RandomCases.fromAlphabet(r, JSONISH, 300).getBytes(StandardCharsets.UTF_8);
        return text.length == 0 ? text : RandomCases.mutate(r, text);
    }

    /** The example files' bytes, mutated: the decoding sees the broken UTF-8 sequences too. */
    private static byte[] mutatedBytes(Random r) {
        return RandomCases.mutate(r, RandomCases.oneOf(r, EXAMPLE_BYTES));
    }

    private static String mutatedTree(Random r) {
        return Fuzz.mutatedJsonText(r, RandomCases.oneOf(r, EXAMPLES), FIELDS);
    }

    @Test
    void arbitraryText() {
        RandomCases.run(61, 1000, r -> parseSurvives(anyText(r)));
    }

    @Test
    void arbitraryBytes() {
        RandomCases.run(64, 1000, r -> parseSurvives(anyBytes(r)));
    }

    @Test
    void mutatedExampleFileBytes() {
        RandomCases.run(62, 500, r -> parseSurvives(mutatedBytes(r)));
    }

    @Test
    void mutatedExampleFileTrees() {
        RandomCases.run(63, 1000, r -> parseSurvives(mutatedTree(r)));
    }

    @Tag("exhaustive")
    @Test
    void exhaustiveArbitraryText() {
        RandomCases.run(71, RandomCases.EXHAUSTIVE, r -> parseSurvives(anyText(r)));
    }

    @Tag("exhaustive")
    @Test
    void exhaustiveArbitraryBytes() {
        RandomCases.run(74, RandomCases.EXHAUSTIVE, r -> parseSurvives(anyBytes(r)));
    }

    @Tag("exhaustive")
    @Test
    void exhaustiveMutatedExampleFileBytes() {
        RandomCases.run(72, RandomCases.EXHAUSTIVE, r -> parseSurvives(mutatedBytes(r)));
    }

    @Tag("exhaustive")
    @Test
    void exhaustiveMutatedExampleFileTrees() {
        RandomCases.run(73, RandomCases.EXHAUSTIVE, r -> parseSurvives(mutatedTree(r)));
    }
}
