package dev.jlens.tokenizer;

import dev.jlens.testing.Fuzz;
import dev.jlens.testing.RandomCases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Loading mutated tokenizer files (vocab.json, merges.txt, tokenizer.json of a small byte-level BPE, mutated as
 * bytes and as JSON trees): either a tokenizer for which decode(encode(s)) == s, or a one-line JlensException
 * naming the file; never another exception, never a hang. The exhaustive variants run 10^5 tries each.
 */
class TokenizerFilesFuzzTest {
    private static final List<String> MERGES = List.of("h e", "l l", "he ll", "hell o", "Ġ w", "o r", "Ġw or");
    private static final List<String> TEXTS = List.of("hello world", "hell o<|endoftext|>w", "h\u00e9llo \u2713 \ud83d\ude00", "", " \n\t ");
    private static final List<String> FIELDS = List.of("model", "vocab", "merges", "type", "added_tokens", "id", "content", "special",
            "normalizer", "pre_tokenizer", "byte_fallback", "dropout", "ignore_merges", "continuing_subword_prefix");
    private static byte[] vocabJson, mergesTxt, tokenizerJson;
    private static JsonNode vocabTree, tokenizerTree;
    private static Path dir;
    private static Fuzz fuzz;

    @BeforeAll
    static void prepare() throws IOException {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int b = 0; b < 256; b++) vocab.put(String.valueOf(ByteLevel.charOf(b)), b);
        for (String t : List.of("he", "ll", "hell", "hello", "Ġw", "or", "Ġwor", "<|endoftext|>")) vocab.put(t, vocab.size());
        vocabTree = TestFixtures.JSON.valueToTree(vocab);
        vocabJson = TestFixtures.JSON.writeValueAsBytes(vocabTree);
        mergesTxt = ("#version: 0.2\n" + String.join("\n", MERGES) + "\n").getBytes(StandardCharsets.UTF_8);
        ObjectNode root = TestFixtures.JSON.createObjectNode();
        root.put("version", "1.0");
        ObjectNode eot = root.putArray("added_tokens").addObject();
        eot.put("id", vocab.get("<|endoftext|>")).put("content", "<|endoftext|>").put("special", true);
        root.putNull("normalizer");
        root.putObject("pre_tokenizer").put("type", "ByteLevel").put("add_prefix_space", false).put("use_regex", true);
        root.putObject("decoder").put("type", "ByteLevel");
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE").putNull("dropout").put("byte_fallback", false).put("ignore_merges", false);
        model.set("vocab", vocabTree.deepCopy());
        ArrayNode merges = model.putArray("merges");
        for (String m : MERGES) merges.addArray().add(m.split(" ")[0]).add(m.split(" ")[1]);
        tokenizerTree = root;
        tokenizerJson = TestFixtures.JSON.writeValueAsBytes(root);
        dir = Files.createTempDirectory("jlens-tokenizer-fuzz");
        fuzz = new Fuzz(Duration.ofSeconds(20));
        // the unmutated files load and round-trip
        loadSurvives(vocabJson, mergesTxt, null);
        loadSurvives(null, null, tokenizerJson);
    }

    @AfterAll
    static void stop() throws IOException {
        fuzz.close();
        for (String f : new String[] {"vocab.json", "merges.txt", "tokenizer.json"}) Files.deleteIfExists(dir.resolve(f));
        Files.deleteIfExists(dir);
    }

    /** Writes the files given (null: absent) and loads the folder as jlens does. */
    private static void loadSurvives(byte[] vocab, byte[] merges, byte[] tokenizer) {
        write("vocab.json", vocab);
        write("merges.txt", merges);
        write("tokenizer.json", tokenizer);
        fuzz.survives(() -> {
            Gpt2Tokenizer t;
            try {
                t = Gpt2Tokenizer.load(dir);
            } catch (dev.jlens.JlensException e) {
                assertThat(e.getMessage()).startsWith(dir.toString());
                throw e;
            }
            for (String text : TEXTS) assertThat(t.decode(t.encode(text))).as(text).isEqualTo(text);
        });
    }

    private static void write(String name, byte[] bytes) {
        try {
            if (bytes == null) Files.deleteIfExists(dir.resolve(name));
            else Files.write(dir.resolve(name), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void mutatedVocabAndMerges(Random r) {
        byte[] vocab = switch (r.nextInt(3)) {
            case 0 -> RandomCases.mutate(r, vocabJson);
            case 1 -> Fuzz.mutatedJsonText(r, vocabTree, List.of("he", "<|endoftext|>", "x", "")).getBytes(StandardCharsets.UTF_8);
            default -> vocabJson;
        };
        byte[] merges = vocab == vocabJson || r.nextBoolean() ? RandomCases.mutate(r, mergesTxt) : mergesTxt;
        loadSurvives(vocab, merges, null);
    }

    private static void mutatedTokenizerJson(Random r) {
        byte[] bytes = r.nextInt(3) == 0 ? RandomCases.mutate(r, tokenizerJson)
                : Fuzz.mutatedJsonText(r, tokenizerTree, FIELDS).getBytes(StandardCharsets.UTF_8);
        loadSurvives(null, null, bytes);
    }

    @Test
    void mutatedVocabAndMerges() {
        RandomCases.run(101, 300, TokenizerFilesFuzzTest::mutatedVocabAndMerges);
    }

    @Test
    void mutatedTokenizerJson() {
        RandomCases.run(102, 300, TokenizerFilesFuzzTest::mutatedTokenizerJson);
    }

    @Tag("exhaustive")
    @Test
    void exhaustiveMutatedVocabAndMerges() {
        RandomCases.run(111, RandomCases.EXHAUSTIVE, TokenizerFilesFuzzTest::mutatedVocabAndMerges);
    }

    @Tag("exhaustive")
    @Test
    void exhaustiveMutatedTokenizerJson() {
        RandomCases.run(112, RandomCases.EXHAUSTIVE, TokenizerFilesFuzzTest::mutatedTokenizerJson);
    }
}
