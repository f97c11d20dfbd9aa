package dev.jlens.tokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** The fixture tokenizers and reference files from the test resources, loaded once per test JVM. */
final class TestFixtures {
    static final ObjectMapper JSON = new ObjectMapper();

    private TestFixtures() {
    }

    static Path resource(String name) {
        URL url = TestFixtures.class.getResource("/" + name);
        if (url == null) {
            throw new IllegalStateException("test resource not found: " + name);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode readJson(String resourceName) {
        return JSON.readTree(resource(resourceName).toFile());
    }

    /** Fixture A, from its vocab.json + merges.txt. */
    static Gpt2Tokenizer tokenizerA() {
        return Holder.A;
    }

    /** Fixture B, from a folder that holds nothing but its tokenizer.json, so that file is proven to suffice. */
    static Gpt2Tokenizer tokenizerB() {
        return Holder.B;
    }

    /** Fixture A built once into a fresh tokenizer cache, then loaded again: the second load reads the cache file. */
    static Gpt2Tokenizer tokenizerAFromCache() {
        return Holder.A_FROM_CACHE;
    }

    private static final class Holder {
        static final Gpt2Tokenizer A = Gpt2Tokenizer.fromVocabAndMerges(
                resource("fixtures/tiny-gpt2-a/vocab.json"), resource("fixtures/tiny-gpt2-a/merges.txt"));
        static final Gpt2Tokenizer B = Gpt2Tokenizer.load(tokenizerJsonAlone());
        static final Gpt2Tokenizer A_FROM_CACHE = fromCache();

        private static Gpt2Tokenizer fromCache() {
            try {
                Path cache = Files.createTempDirectory("jlens-tokenizer-cache");
                Path folder = resource("fixtures/tiny-gpt2-a");
                Gpt2Tokenizer.load(folder, java.util.Optional.of(cache));
                try (var files = Files.list(cache)) {
                    if (files.filter(f -> f.toString().endsWith(".jlt")).count() != 1) throw new IllegalStateException("no cache file written");
                }
                return Gpt2Tokenizer.load(folder, java.util.Optional.of(cache));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static Path tokenizerJsonAlone() {
            try {
                Path dir = Files.createTempDirectory("jlens-tokenizer-b");
                Path copy = Files.copy(resource("fixtures/tiny-gpt2-b/tokenizer.json"), dir.resolve("tokenizer.json"),
                        StandardCopyOption.REPLACE_EXISTING);
                copy.toFile().deleteOnExit();
                dir.toFile().deleteOnExit();
                return dir;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    static int[] ints(JsonNode array) {
        int[] values = new int[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).intValue();
        }
        return values;
    }

    static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        for (JsonNode node : array) {
            values.add(node.stringValue());
        }
        return values;
    }

    static int[] withBos(Gpt2Tokenizer tokenizer, int[] ids) {
        int[] out = new int[ids.length + 1];
        out[0] = tokenizer.endOfTextId();
        System.arraycopy(ids, 0, out, 1, ids.length);
        return out;
    }

    /** TransformerLens' {@code to_str_tokens}: each id decoded on its own. */
    static List<String> strTokens(Gpt2Tokenizer tokenizer, int[] ids) {
        List<String> out = new ArrayList<>(ids.length);
        for (int id : ids) {
            out.add(tokenizer.tokenString(id));
        }
        return out;
    }
}
