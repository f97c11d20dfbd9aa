package dev.jlens.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlens.testing.ExternalProgram;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * Real tokenizer.json files of Pythia (GPT-NeoX-20B's), Llama 2, Llama 3 and Gemma give, for ~370 texts
 * (unicode, spaces, digits, emoji, code, special tokens, a seeded random mix), the ids, decodings and token strings
 * that Hugging Face's own {@code tokenizers} library gave ({@code scripts/hf_tokenizer_golden.py}). Pythia's file is
 * in the test resources; the others are fetched by {@code scripts/fetch-tokenizer-files.sh} (.ci/run runs it).
 */
class HuggingFaceTokenizerParityTest {
    private static final JsonNode GOLDEN = readGzipJson("tokenizer/hf-families-golden.json.gz");
    private static final Map<String, Tokenizer> LOADED = new ConcurrentHashMap<>();

    static Stream<String> families() {
        List<String> names = new ArrayList<>();
        GOLDEN.get("tokenizers").propertyNames().forEach(names::add);
        return names.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    void idsDecodingsAndTokenStringsAreHuggingFaces(String family) {
        Tokenizer tokenizer = tokenizer(family);
        JsonNode expected = GOLDEN.get("tokenizers").get(family);
        assertThat(tokenizer.vocabSize()).isEqualTo(expected.get("vocab_size").intValue());
        SoftAssertions soft = new SoftAssertions();
        for (JsonNode c : expected.get("cases")) {
            String text = c.get("text").stringValue();
            int[] ids = tokenizer.encode(text);
            soft.assertThat(ids).as("ids of %s", TestFixtures.JSON.writeValueAsString(text)).containsExactly(ints(c.get("ids")));
            int[] reference = ints(c.get("ids"));
            soft.assertThat(tokenizer.decode(reference)).as("decode of %s", text).isEqualTo(c.get("decoded").stringValue());
            soft.assertThat(tokenizer.decodeSkippingSpecial(reference)).as("decode skipping special of %s", text)
                    .isEqualTo(c.get("decoded_skipping_special").stringValue());
            List<String> strings = new ArrayList<>();
            for (int id : reference) strings.add(tokenizer.tokenString(id));
            List<String> expectedStrings = new ArrayList<>();
            c.get("token_strings").forEach(s -> expectedStrings.add(s.stringValue()));
            soft.assertThat(strings).as("token strings of %s", text).containsExactlyElementsOf(expectedStrings);
        }
        soft.assertAll();
    }

    /** Hugging Face's own BOS (add_special_tokens=True) is the tokenizer's BOS before the ids, where it adds one. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    void specialTokensBeforeTheTextAreTheBosThatHuggingFaceAdds(String family) {
        HuggingFaceTokenizer tokenizer = (HuggingFaceTokenizer) tokenizer(family);
        for (JsonNode c : GOLDEN.get("tokenizers").get(family).get("cases")) {
            int[] ids = ints(c.get("ids"));
            int[] withSpecial = ints(c.get("ids_with_special_tokens"));
            if (tokenizer.postProcessorAddsBos()) {
                assertThat(withSpecial[0]).as(c.get("text").stringValue()).isEqualTo(tokenizer.bosId());
                assertThat(Arrays.copyOfRange(withSpecial, 1, withSpecial.length)).containsExactly(ids);
            } else {
                assertThat(withSpecial).containsExactly(ids);
            }
        }
    }

    static Tokenizer tokenizer(String family) {
        return LOADED.computeIfAbsent(family, HuggingFaceTokenizerParityTest::load);
    }

    private static Tokenizer load(String family) {
        String base = family.replace("-metaspace", "");
        Path folder = folderOf(base);
        Tokenizer tokenizer;
        if (family.endsWith("-metaspace")) {
            tokenizer = HuggingFaceTokenizer.fromTokenizerJson(metaspaceVariant(folder), SpecialTokens.read(folder));
        } else {
            tokenizer = Tokenizers.fromFolder(folder);
        }
        assertThat(tokenizer).isInstanceOf(HuggingFaceTokenizer.class);
        return tokenizer;
    }

    /** The folder of a family's real files: Pythia's from the test resources, the others as the script left them. */
    static Path folderOf(String family) {
        if (family.equals("pythia")) return pythiaFolder();
        Path folder = Path.of("target/tokenizer-files", family);
        if (!Files.isRegularFile(folder.resolve("tokenizer.json"))) {
            String reason = "tokenizer files of " + family + " missing: run scripts/fetch-tokenizer-files.sh";
            if ("1".equals(System.getenv(ExternalProgram.REQUIRE))) throw new AssertionError(reason);
            System.err.println("jlens tests: " + reason + " (" + ExternalProgram.REQUIRE + "=1 makes this fail)");
            Assumptions.abort(reason);
        }
        return folder;
    }

    private static Path pythiaFolder() {
        try {
            Path folder = Files.createTempDirectory("jlens-pythia-tokenizer");
            folder.toFile().deleteOnExit();
            try (InputStream in = new GZIPInputStream(Files.newInputStream(TestFixtures.resource("tokenizer/pythia/tokenizer.json.gz")))) {
                Files.copy(in, folder.resolve("tokenizer.json"));
            }
            Files.copy(TestFixtures.resource("tokenizer/pythia/tokenizer_config.json"), folder.resolve("tokenizer_config.json"));
            folder.resolve("tokenizer.json").toFile().deleteOnExit();
            folder.resolve("tokenizer_config.json").toFile().deleteOnExit();
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Llama 2's file rewritten as newer conversions write it: Metaspace instead of its Prepend + Replace. */
    private static Path metaspaceVariant(Path folder) {
        try {
            tools.jackson.databind.node.ObjectNode spec = (tools.jackson.databind.node.ObjectNode)
                    TestFixtures.JSON.readTree(folder.resolve("tokenizer.json").toFile());
            spec.putNull("normalizer");
            spec.set("pre_tokenizer", TestFixtures.JSON.readTree(
                    "{\"type\":\"Metaspace\",\"replacement\":\"\u2581\",\"prepend_scheme\":\"first\",\"split\":false}"));
            spec.set("decoder", TestFixtures.JSON.readTree("{\"type\":\"Sequence\",\"decoders\":["
                    + "{\"type\":\"Metaspace\",\"replacement\":\"\u2581\",\"prepend_scheme\":\"first\",\"split\":false},"
                    + "{\"type\":\"ByteFallback\"},{\"type\":\"Fuse\"}]}"));
            Path file = Files.createTempFile("jlens-llama2-metaspace", ".json");
            file.toFile().deleteOnExit();
            TestFixtures.JSON.writeValue(file.toFile(), spec);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode readGzipJson(String resource) {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(TestFixtures.resource(resource)))) {
            return TestFixtures.JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).intValue();
        return out;
    }
}
