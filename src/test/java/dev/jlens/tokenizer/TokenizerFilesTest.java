package dev.jlens.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlens.JlensException;
import dev.jlens.testing.NamedPipe;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reading vocab.json, merges.txt and tokenizer.json: both merge formats, and a one-line {@link JlensException}
 * naming the file (and line or entry) for every kind of broken input.
 */
class TokenizerFilesTest {
    @TempDir
    Path dir;

    // A tiny byte-level vocabulary: the 256 byte tokens, then "he", "ll", "hell", "hello", "Ġw", <|endoftext|>.
    private static final List<String> MERGES = List.of("h e", "l l", "he ll", "hell o", "Ġ w");

    private static Map<String, Integer> vocab() {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int b = 0; b < 256; b++) {
            vocab.put(String.valueOf(ByteLevel.charOf(b)), b);
        }
        for (String token : List.of("he", "ll", "hell", "hello", "Ġw", "<|endoftext|>")) {
            vocab.put(token, vocab.size());
        }
        return vocab;
    }

    private Path writeVocab(Map<String, Integer> vocab) {
        return write("vocab.json", TestFixtures.JSON.writeValueAsString(vocab));
    }

    private Path writeMerges(List<String> lines) {
        List<String> all = new ArrayList<>();
        all.add("#version: 0.2");
        all.addAll(lines);
        return write("merges.txt", String.join("\n", all) + "\n");
    }

    private Path write(String name, String content) {
        try {
            return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** A tokenizer.json like Hugging Face's for GPT-2, with merges as [a, b] pairs or as "a b" strings. */
    private ObjectNode tokenizerJson(boolean mergesAsPairs) {
        ObjectNode root = TestFixtures.JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ObjectNode endOfText = root.putArray("added_tokens").addObject();
        endOfText.put("id", 261).put("content", "<|endoftext|>").put("single_word", false).put("lstrip", false)
                .put("rstrip", false).put("normalized", false).put("special", true);
        root.putNull("normalizer");
        root.putObject("pre_tokenizer").put("type", "ByteLevel").put("add_prefix_space", false)
                .put("trim_offsets", true).put("use_regex", true);
        root.putObject("post_processor").put("type", "ByteLevel").put("add_prefix_space", true);
        root.putObject("decoder").put("type", "ByteLevel").put("add_prefix_space", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE").putNull("dropout").putNull("unk_token").putNull("continuing_subword_prefix")
                .putNull("end_of_word_suffix").put("fuse_unk", false).put("byte_fallback", false)
                .put("ignore_merges", false);
        ObjectNode vocabNode = model.putObject("vocab");
        vocab().forEach(vocabNode::put);
        ArrayNode merges = model.putArray("merges");
        for (String merge : MERGES) {
            if (mergesAsPairs) {
                String[] parts = merge.split(" ");
                merges.addArray().add(parts[0]).add(parts[1]);
            } else {
                merges.add(merge);
            }
        }
        return root;
    }

    private Path writeTokenizerJson(Consumer<ObjectNode> change) {
        ObjectNode root = tokenizerJson(true);
        change.accept(root);
        return write("tokenizer.json", TestFixtures.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertOneLineError(Runnable load, Path file) {
        try {
            load.run();
        } catch (JlensException e) {
            assertThat(e.getMessage()).doesNotContain("\n").startsWith(file.toString());
            return assertThat(e);
        }
        throw new AssertionError("expected a JlensException about " + file);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Good files

    @Test
    void tinyVocabAndMergesEncode() {
        Gpt2Tokenizer tokenizer = Gpt2Tokenizer.fromVocabAndMerges(writeVocab(vocab()), writeMerges(MERGES));
        assertThat(tokenizer.encode("hello w<|endoftext|>")).containsExactly(259, 260, 261);
        assertThat(tokenizer.vocabSize()).isEqualTo(262);
        assertThat(tokenizer.endOfTextId()).isEqualTo(261);
        assertThat(tokenizer.decodeSkippingSpecial(259, 261)).isEqualTo("hello");
    }

    @Test
    void mergesTxtSkipsTheVersionLineAndBlankLines() {
        Path merges = write("merges.txt", "#version: 0.2\n\nh e\nl l\n\nhe ll\r\nhell o\nĠ w");
        Gpt2Tokenizer tokenizer = Gpt2Tokenizer.fromVocabAndMerges(writeVocab(vocab()), merges);
        assertThat(tokenizer.encode("hello")).containsExactly(259);
    }

    @Test
    void tokenizerJsonMergesAsPairsOrAsStringsGiveTheSameIds() {
        Path pairs = write("pairs.json", TestFixtures.JSON.writeValueAsString(tokenizerJson(true)));
        Path strings = write("strings.json", TestFixtures.JSON.writeValueAsString(tokenizerJson(false)));
        Gpt2Tokenizer fromPairs = Gpt2Tokenizer.fromTokenizerJson(pairs);
        Gpt2Tokenizer fromStrings = Gpt2Tokenizer.fromTokenizerJson(strings);
        for (Gpt2Tokenizer tokenizer : List.of(fromPairs, fromStrings)) {
            assertThat(tokenizer.encode("hello w<|endoftext|>hell")).containsExactly(259, 260, 261, 258);
            assertThat(tokenizer.vocabSize()).isEqualTo(262);
        }
    }

    @Test
    void tokenizerJsonAddedTokenMayBeOutsideTheModelVocabulary() {
        Path file = writeTokenizerJson(root -> {
            ((ObjectNode) root.get("model").get("vocab")).remove("<|endoftext|>");
        });
        Gpt2Tokenizer tokenizer = Gpt2Tokenizer.fromTokenizerJson(file);
        assertThat(tokenizer.encode("he<|endoftext|>")).containsExactly(256, 261);
        assertThat(tokenizer.vocabSize()).isEqualTo(262);
        assertThat(tokenizer.decode(261)).isEqualTo("<|endoftext|>");
    }

    // ---------------------------------------------------------------------------------------------------------
    // Missing files

    @Test
    void missingFilesAreNamed() {
        Path merges = writeMerges(MERGES);
        Path vocab = writeVocab(vocab());
        Path absent = dir.resolve("absent.json");
        assertOneLineError(() -> Gpt2Tokenizer.fromVocabAndMerges(absent, merges), absent)
                .hasMessage(absent + ": file not found");
        Path absentMerges = dir.resolve("absent.txt");
        assertOneLineError(() -> Gpt2Tokenizer.fromVocabAndMerges(vocab, absentMerges), absentMerges)
                .hasMessage(absentMerges + ": file not found");
        assertOneLineError(() -> Gpt2Tokenizer.fromTokenizerJson(absent), absent)
                .hasMessage(absent + ": file not found");
    }

    @Test
    void loadNamesTheFolderAndWhatIsMissing() throws IOException {
        Path nowhere = dir.resolve("no-such-model");
        assertOneLineError(() -> Gpt2Tokenizer.load(nowhere), nowhere).hasMessageContaining("folder not found");
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertOneLineError(() -> Gpt2Tokenizer.load(empty), empty)
                .hasMessage(empty + ": no tokenizer files: expected vocab.json + merges.txt or tokenizer.json");
        writeVocab(vocab());
        assertOneLineError(() -> Gpt2Tokenizer.load(dir), dir)
                .hasMessageContaining("(vocab.json is there, merges.txt is not)");
        Path file = writeMerges(MERGES);
        assertOneLineError(() -> Gpt2Tokenizer.load(file), file).hasMessageContaining("not a folder");
    }

    // ---------------------------------------------------------------------------------------------------------
    // Broken vocab.json

    @Test
    void vocabWithBadJson() {
        Path vocab = write("vocab.json", "{\"a\": 1,\n\"b\": }");
        assertOneLineError(() -> Gpt2Tokenizer.fromVocabAndMerges(vocab, writeMerges(MERGES)), vocab)
                .hasMessageStartingWith(vocab + ": bad JSON at line 2, column");
    }

    @Test
    void vocabThatIsNotAnObject() {
        Path vocab = write("vocab.json", "[1, 2]");
        assertOneLineError(() -> Gpt2Tokenizer.fromVocabAndMerges(vocab, writeMerges(MERGES)), vocab)
                .hasMessage(vocab + ": line 1: expected a JSON object of token -> id");
    }

    @Test
    void vocabWithANonIntegerId() {
        for (String id : List.of("1.5", "\"7\"", "null", "[]")) {
            Path vocab = write("vocab.json", "{\"a\": 0,\n \"b\": " + id + "}");
            assertOneLineError(() -> Gpt2Tokenizer.fromVocabAndMerges(vocab, writeMerges(MERGES)), vocab)
                    .hasMessageStartingWith(vocab + ": line 2: token \"b\" has id ")
                    .hasMessageEndingWith(", not an integer");
        }
    }

    @Test
    void vocabWithANegativeOrHugeId() {
        Path vocab = write("vocab.json", "{\"a\": -3}");
        assertOneLineError(() -> Gpt2Tokenizer.fromVocabAndMerges(vocab, writeMerges(MERGES)), vocab)
                .hasMessageContaining("token \"a\" has id -3, outside 0..");
        Path huge = write("vocab.json", "{\"a\": 99999999999}");
        assertOneLineError(() -> Gpt2Tokenizer.fromVocabAndMerges(huge, writeMerges(MERGES)), huge)
                .hasMessageContaining("has id 99999999999, outside");
    }

    @Test
    void vocabWithADuplicateId() {
        Map<String, Integer> vocab = vocab();
        vocab.put("hello", 256);
        Path file = writeVocab(vocab);
        assertOneLineError(() -> Gpt2Tokenizer.fromVocabAndMerges(file, writeMerges(MERGES)), file)
                .hasMessageContaining("tokens \"he\" and \"hello\" both have id 256");
    }

    @Test
    void vocabWithADuplicateToken() {
        Path vocab = write("vocab.json", "{\"a\": 0,\n \"a\": 1}");
        assertOneLineError(() -> Gpt2Tokenizer.fromVocabAndMerges(vocab, writeMerges(MERGES)), vocab)
                .hasMessageContaining("bad JSON at line 2")
                .hasMessageContaining("Duplicate");
    }

    @Test
    void vocabWithoutEveryByteToken() {
        Map<String, Integer> vocab = vocab();
        vocab.remove("Ċ"); // the newline byte
        Path file = writeVocab(vocab);
        assertOneLineError(() -> Gpt2Tokenizer.fromVocabAndMerges(file, writeMerges(MERGES)), file)
                .hasMessage(file + ": the vocabulary has no token for byte 0x0A (\"Ċ\"); not a GPT-2 byte-level"
                        + " vocabulary");
    }

    @Test
    void vocabWithoutEndOfText() {
        Map<String, Integer> vocab = vocab();
        vocab.remove("<|endoftext|>");
        Path file = writeVocab(vocab);
        assertOneLineError(() -> Gpt2Tokenizer.fromVocabAndMerges(file, writeMerges(MERGES)), file)
                .hasMessageContaining("no <|endoftext|> token");
    }

    // ---------------------------------------------------------------------------------------------------------
    // Broken merges.txt

    @Test
    void mergeLineThatIsNotTwoTokens() {
        Path vocab = writeVocab(vocab());
        for (String bad : List.of("h e l", "h  e", "he", " h", "h ")) {
            Path merges = writeMerges(List.of("h e", bad));
            assertOneLineError(() -> Gpt2Tokenizer.fromVocabAndMerges(vocab, merges), merges)
                    .hasMessage(merges + ": line 3: expected two tokens separated by one space, found \"" + bad
                            + "\"");
        }
    }

    @Test
    void mergeWhosePartIsNotInTheVocabulary() {
        Path merges = writeMerges(List.of("h e", "hq e"));
        assertOneLineError(() -> Gpt2Tokenizer.fromVocabAndMerges(writeVocab(vocab()), merges), merges)
                .hasMessage(merges + ": line 3: token \"hq\" of merge \"hq e\" is not in the vocabulary");
    }

    @Test
    void mergeWhoseResultIsNotInTheVocabulary() {
        Path merges = writeMerges(List.of("h e", "e h"));
        assertOneLineError(() -> Gpt2Tokenizer.fromVocabAndMerges(writeVocab(vocab()), merges), merges)
                .hasMessage(merges + ": line 3: merged token \"eh\" of merge \"e h\" is not in the vocabulary");
    }

    @Test
    void mergesThatAreNotUtf8() {
        Path merges = dir.resolve("merges.txt");
        try {
            Files.write(merges, new byte[] {'h', ' ', 'e', '\n', (byte) 0xC3, ' ', 'e', '\n'});
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        assertOneLineError(() -> Gpt2Tokenizer.fromVocabAndMerges(writeVocab(vocab()), merges), merges)
                .hasMessage(merges + ": not valid UTF-8 text");
    }

    // ---------------------------------------------------------------------------------------------------------
    // Broken or unsupported tokenizer.json

    @Test
    void tokenizerJsonWithBadJson() {
        Path file = write("tokenizer.json", "{\"model\": {\"type\": \"BPE\",\n\"vocab\": {\"a\": 0,}}}");
        assertOneLineError(() -> Gpt2Tokenizer.fromTokenizerJson(file), file)
                .hasMessageStartingWith(file + ": bad JSON at line 2");
    }

    @Test
    void tokenizerJsonWhoseModelIsNotBpe() {
        Path file = writeTokenizerJson(root -> ((ObjectNode) root.get("model")).put("type", "WordPiece"));
        assertOneLineError(() -> Gpt2Tokenizer.fromTokenizerJson(file), file)
                .hasMessage(file + ": model.type is \"WordPiece\"; only BPE (the GPT-2 tokenizer) is supported");
    }

    @Test
    void tokenizerJsonWhosePreTokenizerIsNotByteLevel() {
        Path file = writeTokenizerJson(root -> root.putObject("pre_tokenizer").put("type", "Whitespace"));
        assertOneLineError(() -> Gpt2Tokenizer.fromTokenizerJson(file), file)
                .hasMessageEndingWith("pre_tokenizer \"Whitespace\" is not supported; only GPT-2's ByteLevel"
                        + " pre-tokenizer is");
        Path none = writeTokenizerJson(root -> root.putNull("pre_tokenizer"));
        assertOneLineError(() -> Gpt2Tokenizer.fromTokenizerJson(none), none)
                .hasMessageContaining("pre_tokenizer null is not supported");
        Path prefix = writeTokenizerJson(root -> ((ObjectNode) root.get("pre_tokenizer"))
                .put("add_prefix_space", true));
        assertOneLineError(() -> Gpt2Tokenizer.fromTokenizerJson(prefix), prefix)
                .hasMessageContaining("add_prefix_space=true is not supported");
    }

    @Test
    void tokenizerJsonWithANormalizer() {
        Path file = writeTokenizerJson(root -> root.putObject("normalizer").put("type", "NFC"));
        assertOneLineError(() -> Gpt2Tokenizer.fromTokenizerJson(file), file)
                .hasMessageContaining("normalizer \"NFC\" is not supported");
    }

    @Test
    void tokenizerJsonWithModelOptionsThatChangeIds() {
        Path file = writeTokenizerJson(root -> ((ObjectNode) root.get("model")).put("dropout", 0.1));
        assertOneLineError(() -> Gpt2Tokenizer.fromTokenizerJson(file), file)
                .hasMessageContaining("model.dropout = 0.1 is not supported");
        Path suffix = writeTokenizerJson(root -> ((ObjectNode) root.get("model")).put("end_of_word_suffix", "</w>"));
        assertOneLineError(() -> Gpt2Tokenizer.fromTokenizerJson(suffix), suffix)
                .hasMessageContaining("model.end_of_word_suffix");
    }

    @Test
    void tokenizerJsonWithoutMerges() {
        Path file = writeTokenizerJson(root -> ((ObjectNode) root.get("model")).remove("merges"));
        assertOneLineError(() -> Gpt2Tokenizer.fromTokenizerJson(file), file)
                .hasMessage(file + ": model has no merges; expected a BPE model with vocab and merges");
    }

    @Test
    void tokenizerJsonWithABadMergeEntry() {
        Path single = writeTokenizerJson(root -> ((ArrayNode) root.get("model").get("merges")).addArray().add("h"));
        assertOneLineError(() -> Gpt2Tokenizer.fromTokenizerJson(single), single)
                .hasMessageContaining(": model.merges[5] (line ")
                .hasMessageContaining("expected a pair of two token strings, found [\"h\"]");
        Path string = writeTokenizerJson(root -> ((ArrayNode) root.get("model").get("merges")).add("h e l"));
        assertOneLineError(() -> Gpt2Tokenizer.fromTokenizerJson(string), string)
                .hasMessageContaining("model.merges[5]").hasMessageContaining("found \"h e l\"");
        Path number = writeTokenizerJson(root -> ((ArrayNode) root.get("model").get("merges")).add(7));
        assertOneLineError(() -> Gpt2Tokenizer.fromTokenizerJson(number), number)
                .hasMessageContaining("model.merges[5]").hasMessageContaining("found 7");
        Path absent = writeTokenizerJson(root -> ((ArrayNode) root.get("model").get("merges")).addArray()
                .add("h").add("x"));
        assertOneLineError(() -> Gpt2Tokenizer.fromTokenizerJson(absent), absent)
                .hasMessageContaining("model.merges[5]")
                .hasMessageEndingWith("merged token \"hx\" of merge \"h x\" is not in the vocabulary");
    }

    @Test
    void tokenizerJsonWithBadVocabEntries() {
        Path file = writeTokenizerJson(root -> ((ObjectNode) root.get("model").get("vocab")).put("zz", "one"));
        assertOneLineError(() -> Gpt2Tokenizer.fromTokenizerJson(file), file)
                .hasMessageContaining("model.vocab: token \"zz\" has id \"one\", not an integer");
        Path duplicate = writeTokenizerJson(root -> ((ObjectNode) root.get("model").get("vocab")).put("zz", 3));
        assertOneLineError(() -> Gpt2Tokenizer.fromTokenizerJson(duplicate), duplicate)
                .hasMessageContaining("both have id 3");
    }

    @Test
    void tokenizerJsonWithBadAddedTokens() {
        Path clash = writeTokenizerJson(root -> ((ObjectNode) root.get("added_tokens").get(0)).put("id", 5));
        assertOneLineError(() -> Gpt2Tokenizer.fromTokenizerJson(clash), clash)
                .hasMessageContaining("added token \"<|endoftext|>\" has id 5 but the vocabulary gives it id 261");
        Path noId = writeTokenizerJson(root -> ((ObjectNode) root.get("added_tokens").get(0)).remove("id"));
        assertOneLineError(() -> Gpt2Tokenizer.fromTokenizerJson(noId), noId)
                .hasMessageContaining("added_tokens[0] has no integer \"id\" in 0..");
        Path empty = writeTokenizerJson(root -> ((ObjectNode) root.get("added_tokens").get(0)).put("content", ""));
        assertOneLineError(() -> Gpt2Tokenizer.fromTokenizerJson(empty), empty)
                .hasMessageContaining("added_tokens[0] has no non-empty string \"content\"");
    }

    /**
     * A pipe (or a device) reports 0 bytes, so the cap of 256 MB is on the bytes read: the JSON stream and the
     * line reader each stop at the first byte past it, with the one-line refusal (Jackson passes it on unwrapped).
     */
    @Test
    void aPipeIsReadNoFurtherThan256MB() throws Exception {
        long past = TokenizerFiles.MAX_FILE_BYTES + 1;
        Path vocab = dir.resolve("vocab.json");
        try (NamedPipe pipe = NamedPipe.feeding(vocab, "{\"a\": 1".getBytes(StandardCharsets.UTF_8), (byte) ' ', past)) {
            assertOneLineError(() -> TokenizerFiles.readVocabJson(vocab), vocab)
                    .hasMessage(vocab + ": more than the 256 MB a tokenizer file may have; is this a tokenizer file?");
        }
        Path merges = dir.resolve("merges.txt");
        try (NamedPipe pipe = NamedPipe.feeding(merges, "#version: 0.2\nh e\n".getBytes(StandardCharsets.UTF_8), (byte) '\n', past)) {
            assertOneLineError(() -> TokenizerFiles.readMergesTxt(merges), merges)
                    .hasMessage(merges + ": more than the 256 MB a tokenizer file may have; is this a tokenizer file?");
        }
    }
}
