package dev.jlens.tokenizer;

import dev.jlens.JlensException;
import dev.jlens.io.Json;
import dev.jlens.io.SmallFiles;
import dev.jlens.tokenizer.AddedTokens.AddedToken;
import dev.jlens.util.Text;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the Hugging Face tokenizer files of a GPT-2 model ({@code vocab.json}, {@code merges.txt},
 * {@code tokenizer.json}) into a {@link Definition}, checking their form; and any BPE tokenizer.json into its
 * definition and the parts of its {@link Pipeline}, for {@link HuggingFaceTokenizer}. Every problem becomes a one-line
 * {@link JlensException} that names the file and the line or entry. JSON is read as a stream so that entries can
 * be reported with their line numbers and the 50k-entry vocabulary needs no tree.
 */
final class TokenizerFiles {
    static final String END_OF_TEXT = "<|endoftext|>";
    /** Largest tokenizer file read, and largest token id (as {@code vocab_size} in config.json). */
    static final long MAX_FILE_BYTES = 256L << 20;
    static final int MAX_ID = (1 << 22) - 1;

    /**
     * vocab.json is read as a plain token stream, without an object mapper: building one cost a first load
     * (the only time the files are read; later the tokenizer comes from its cache) about 0.15 s of a core.
     */
    private static final JsonFactory STREAMS = JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    /** tokenizer.json's sub-trees need a mapper; made on first use. */
    private static final class Trees {
        static final ObjectMapper JSON = JsonMapper.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                // Sub-trees are read out of the middle of a stream, so what follows them is not "trailing".
                .disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
    }

    /** A merge as written: two token strings, and where it was written (for messages). Rank is list order. */
    record Merge(String left, String right, String location) {
    }

    /** What the files say, before the merges are checked against the vocabulary. */
    record Definition(Map<String, Integer> vocab, List<Merge> merges, List<AddedToken> addedTokens) {
    }

    private TokenizerFiles() {
    }

    static Definition readVocabAndMerges(Path vocabJson, Path mergesTxt) {
        Map<String, Integer> vocab = readVocabJson(vocabJson);
        List<Merge> merges = readMergesTxt(mergesTxt);
        // A folder with only vocab.json + merges.txt gets its special tokens from tokenizer_config.json, which for
        // GPT-2 names <|endoftext|> as bos, eos and unk; that is the one special token there is.
        List<AddedToken> added = new ArrayList<>();
        Integer endOfText = vocab.get(END_OF_TEXT);
        if (endOfText != null) {
            added.add(new AddedToken(END_OF_TEXT, endOfText, true));
        }
        return new Definition(vocab, merges, added);
    }

    // ---------------------------------------------------------------------------------------------------------
    // vocab.json

    static Map<String, Integer> readVocabJson(Path file) {
        try (InputStream in = open(file); JsonParser parser = STREAMS.createParser(ObjectReadContext.empty(), in)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw problem(file, parser, "expected a JSON object of token -> id");
            }
            Map<String, Integer> vocab = readVocabObject(file, parser, "");
            if (parser.nextToken() != null) {
                throw problem(file, parser, "unexpected content after the vocabulary object");
            }
            return vocab;
        } catch (JacksonException e) {
            throw badJson(file, e);
        } catch (IOException e) {
            throw unreadable(file, e);
        }
    }

    /** Reads an object of token -> id; the parser is on its START_OBJECT and is left on its END_OBJECT. */
    private static Map<String, Integer> readVocabObject(Path file, JsonParser parser, String prefix) {
        Map<String, Integer> vocab = new HashMap<>(1 << 17);
        Map<Integer, String> tokenOfId = new HashMap<>(1 << 17);
        JsonToken token;
        while ((token = parser.nextToken()) == JsonToken.PROPERTY_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            if (value != JsonToken.VALUE_NUMBER_INT) {
                throw problem(file, parser, prefix + "token " + Json.brief(name) + " has id " + describe(parser, value)
                        + ", not an integer");
            }
            long id = parser.getLongValue();
            if (id < 0 || id > MAX_ID) {
                throw problem(file, parser, prefix + "token " + Json.brief(name) + " has id " + id
                        + ", outside 0.." + MAX_ID);
            }
            String previous = tokenOfId.putIfAbsent((int) id, name);
            if (previous != null) {
                throw problem(file, parser, prefix + "tokens " + Json.brief(previous) + " and " + Json.brief(name)
                        + " both have id " + id);
            }
            vocab.put(name, (int) id);
        }
        if (token != JsonToken.END_OBJECT) {
            throw problem(file, parser, "unexpected " + token + " in the vocabulary object");
        }
        return vocab;
    }

    // ---------------------------------------------------------------------------------------------------------
    // merges.txt

    static List<Merge> readMergesTxt(Path file) {
        List<Merge> merges = new ArrayList<>(50_000);
        try (BufferedReader reader = newReader(file)) {
            String line;
            int lineNumber = 0;
            while ((line = reader.readLine()) != null) {
                lineNumber++;
                if ((lineNumber == 1 && line.startsWith("#version")) || line.isEmpty()) {
                    continue;
                }
                // Split on single spaces, as Hugging Face does: "a  b" or "a b c" is not a merge.
                String[] parts = line.split(" ", -1);
                String location = file + ": line " + lineNumber;
                if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
                    throw new JlensException(location + ": expected two tokens separated by one space, found "
                            + Json.brief(line));
                }
                merges.add(new Merge(parts[0], parts[1], location));
            }
        } catch (NoSuchFileException e) {
            throw missing(file);
        } catch (CharacterCodingException e) {
            throw new JlensException(file + ": not valid UTF-8 text");
        } catch (IOException e) {
            throw unreadable(file, e);
        }
        return merges;
    }

    // ---------------------------------------------------------------------------------------------------------
    // tokenizer.json

    static Definition readTokenizerJson(Path file) {
        return readTokenizerJson(file, null, false).definition();
    }

    /**
     * The parts of tokenizer.json beyond GPT-2's: its normalizer, pre-tokenizer, post-processor and decoder as
     * written (null where the file has none), the model's options, and the added tokens' flags.
     */
    record Pipeline(String modelType, JsonNode normalizer, JsonNode preTokenizer, JsonNode postProcessor,
                    JsonNode decoder, Map<String, JsonNode> modelOptions, JsonNode addedTokens) {
    }

    record Full(Definition definition, Pipeline pipeline) {
    }

    /** tokenizer.json of any BPE model: the checks of GPT-2's form are left to the caller, which gets the parts. */
    static Full readAnyTokenizerJson(Path file) {
        return readTokenizerJson(file, new HashMap<>(), false);
    }

    /**
     * Whether tokenizer.json has GPT-2's form, which {@link Gpt2Tokenizer} reads: no normalizer, GPT-2's ByteLevel
     * pre-tokenizer, a BPE model with no option that changes ids. Reads the file without its vocabulary and merges.
     */
    static boolean hasGpt2Form(Path file) {
        Pipeline p = readTokenizerJson(file, new HashMap<>(), true).pipeline();
        if (p.modelType() != null && !p.modelType().equals("BPE")) return true; // for GPT-2's reader to refuse
        boolean options = p.modelOptions().entrySet().stream().allMatch(o -> !changesIds(o.getKey(), o.getValue()));
        return TokenizerJson.absent(p.normalizer()) && isGpt2PreTokenizer(p.preTokenizer()) && options;
    }

    private static boolean isGpt2PreTokenizer(JsonNode pre) {
        return pre != null && typeOf(pre).equals("\"ByteLevel\"") && !pre.path("add_prefix_space").asBoolean(false)
                && pre.path("use_regex").asBoolean(true);
    }

    /**
     * Reads tokenizer.json. With {@code parts} null, only GPT-2's form is accepted (checked as it is read);
     * otherwise the normalizer, pre-tokenizer, post-processor, decoder and model options are kept in it as written.
     */
    private static Full readTokenizerJson(Path file, Map<String, JsonNode> parts, boolean probe) {
        boolean gpt2 = parts == null;
        Map<String, JsonNode> modelOptions = new HashMap<>();
        JsonNode addedNode = null;
        Map<String, Integer> vocab = null;
        List<Merge> merges = null;
        List<AddedToken> added = List.of();
        String modelType = null;
        try (InputStream in = open(file); JsonParser parser = Trees.JSON.createParser(in)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw problem(file, parser, "expected a JSON object");
            }
            while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = parser.currentName();
                parser.nextToken();
                switch (name) {
                    case "added_tokens" -> {
                        TokenStreamLocation where = parser.currentTokenLocation();
                        addedNode = Trees.JSON.readTree(parser);
                        added = readAddedTokens(file, where, addedNode);
                    }
                    case "normalizer" -> {
                        if (gpt2) checkNormalizer(file, parser);
                        else parts.put(name, Trees.JSON.readTree(parser));
                    }
                    case "pre_tokenizer" -> {
                        if (gpt2) checkPreTokenizer(file, parser);
                        else parts.put(name, Trees.JSON.readTree(parser));
                    }
                    case "post_processor", "decoder" -> {
                        if (gpt2) parser.skipChildren();
                        else parts.put(name, Trees.JSON.readTree(parser));
                    }
                    case "model" -> {
                        if (parser.currentToken() != JsonToken.START_OBJECT) {
                            throw problem(file, parser, "\"model\" is not an object");
                        }
                        while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                            String field = parser.currentName();
                            JsonToken value = parser.nextToken();
                            switch (field) {
                                case "type" -> modelType = value == JsonToken.VALUE_STRING ? parser.getString()
                                        : describe(parser, value);
                                case "vocab", "merges" -> {
                                    if (probe) {
                                        parser.skipChildren();
                                        continue;
                                    }
                                    if (field.equals("merges")) {
                                        merges = readMergeArray(file, parser);
                                        continue;
                                    }
                                    if (value != JsonToken.START_OBJECT) {
                                        throw problem(file, parser, "model.vocab is not an object of token -> id");
                                    }
                                    vocab = readVocabObject(file, parser, "model.vocab: ");
                                }
                                default -> {
                                    if (gpt2) checkModelOption(file, parser, field);
                                    else modelOptions.put(field, Trees.JSON.readTree(parser));
                                }
                            }
                        }
                    }
                    // Truncation, padding, post-processor and decoder do not change encode/decode of GPT-2:
                    // the post-processor adds nothing (no BOS) and the decoder is ByteLevel, which decode is.
                    default -> parser.skipChildren();
                }
            }
        } catch (JacksonException e) {
            throw badJson(file, e);
        } catch (IOException e) {
            throw unreadable(file, e);
        }
        // Files from before model.type was written have none; their vocab + merges still make them BPE.
        if (!probe && modelType != null && !modelType.equals("BPE")) {
            throw new JlensException(file + ": model.type is " + Json.brief(modelType)
                    + (gpt2 ? "; only BPE (the GPT-2 tokenizer) is supported" : "; only BPE models are supported"));
        }
        if (!probe && (vocab == null || merges == null)) {
            throw new JlensException(file + ": model has no " + (vocab == null ? "vocab" : "merges")
                    + "; expected a BPE model with vocab and merges");
        }
        Definition definition = new Definition(vocab, merges, added);
        if (gpt2) return new Full(definition, null);
        return new Full(definition, new Pipeline(modelType, parts.get("normalizer"), parts.get("pre_tokenizer"),
                parts.get("post_processor"), parts.get("decoder"), modelOptions, addedNode));
    }

    private static List<AddedToken> readAddedTokens(Path file, TokenStreamLocation where, JsonNode list) {
        if (list == null || !list.isArray()) {
            throw problem(file, where, "added_tokens is not a list");
        }
        List<AddedToken> added = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode entry = list.get(i);
            String label = "added_tokens[" + i + "]";
            JsonNode id = entry.get("id");
            JsonNode content = entry.get("content");
            if (id == null || !id.isIntegralNumber() || !id.canConvertToInt() || id.intValue() < 0 || id.intValue() > MAX_ID) {
                throw problem(file, where, label + " has no integer \"id\" in 0.." + MAX_ID);
            }
            if (content == null || !content.isString() || content.stringValue().isEmpty()) {
                throw problem(file, where, label + " has no non-empty string \"content\"");
            }
            JsonNode special = entry.get("special");
            added.add(new AddedToken(content.stringValue(), id.intValue(), special != null && special.asBoolean()));
        }
        return added;
    }

    private static void checkNormalizer(Path file, JsonParser parser) {
        TokenStreamLocation where = parser.currentTokenLocation();
        JsonNode normalizer = Trees.JSON.readTree(parser);
        if (normalizer != null && !normalizer.isNull()) {
            throw problem(file, where, "normalizer " + typeOf(normalizer)
                    + " is not supported; GPT-2's tokenizer.json has \"normalizer\": null");
        }
    }

    private static void checkPreTokenizer(Path file, JsonParser parser) {
        TokenStreamLocation where = parser.currentTokenLocation();
        JsonNode pre = Trees.JSON.readTree(parser);
        String type = typeOf(pre);
        if (!type.equals("\"ByteLevel\"")) {
            throw problem(file, where, "pre_tokenizer " + type
                    + " is not supported; only GPT-2's ByteLevel pre-tokenizer is");
        }
        if (pre.path("add_prefix_space").asBoolean(false)) {
            throw problem(file, where, "pre_tokenizer ByteLevel with add_prefix_space=true is not supported;"
                    + " GPT-2 adds no prefix space");
        }
        if (!pre.path("use_regex").asBoolean(true)) {
            throw problem(file, where, "pre_tokenizer ByteLevel with use_regex=false is not supported;"
                    + " GPT-2 splits with its regex");
        }
    }

    /** Model options that would change the ids if set differently from GPT-2 are refused rather than ignored. */
    private static void checkModelOption(Path file, JsonParser parser, String field) {
        TokenStreamLocation where = parser.currentTokenLocation();
        JsonNode value = Trees.JSON.readTree(parser);
        if (changesIds(field, value)) {
            throw problem(file, where, "model." + field + " = " + value + " is not supported; GPT-2 has it unset");
        }
    }

    /** Whether a model option set so would give other ids than GPT-2's BPE. */
    private static boolean changesIds(String field, JsonNode value) {
        boolean unset = value == null || value.isNull() || (value.isBoolean() && !value.asBoolean());
        return switch (field) {
            case "dropout" -> !unset && !(value.isNumber() && value.doubleValue() == 0.0);
            case "continuing_subword_prefix", "end_of_word_suffix", "ignore_merges" -> !unset;
            default -> false; // unk_token, fuse_unk, byte_fallback: unused, every byte has a token
        };
    }

    /** Reads model.merges: a list of "a b" strings (older files) or of [a, b] pairs (newer files). */
    private static List<Merge> readMergeArray(Path file, JsonParser parser) {
        if (parser.currentToken() != JsonToken.START_ARRAY) {
            throw problem(file, parser, "model.merges is not a list");
        }
        List<Merge> merges = new ArrayList<>(50_000);
        JsonToken token;
        int index = 0;
        while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
            int line = parser.currentTokenLocation().getLineNr();
            String location = file + ": model.merges[" + index + "] (line " + line + ")";
            String left;
            String right;
            if (token == JsonToken.VALUE_STRING) {
                String[] parts = parser.getString().split(" ", -1);
                if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
                    throw new JlensException(location + ": expected \"a b\", two tokens separated by one space,"
                            + " found " + Json.brief(parser.getString()));
                }
                left = parts[0];
                right = parts[1];
            } else if (token == JsonToken.START_ARRAY) {
                JsonNode pair = Trees.JSON.readTree(parser);
                if (pair.size() != 2 || !pair.get(0).isString() || !pair.get(1).isString()) {
                    throw new JlensException(location + ": expected a pair of two token strings, found " + pair);
                }
                left = pair.get(0).stringValue();
                right = pair.get(1).stringValue();
            } else {
                throw new JlensException(location + ": expected \"a b\" or [a, b], found " + describe(parser, token));
            }
            merges.add(new Merge(left, right, location));
            index++;
        }
        return merges;
    }

    // ---------------------------------------------------------------------------------------------------------
    // helpers

    /** Tokenizer files are a few MB (GPT-2's tokenizer.json is 1.4 MB); no more than what one may have is read. */
    private static InputStream open(Path file) throws IOException {
        try {
            return SmallFiles.open(file, MAX_FILE_BYTES, "a tokenizer file");
        } catch (NoSuchFileException e) {
            throw missing(file);
        }
    }

    /** A strict UTF-8 reader: a malformed byte is an error, never U+FFFD. */
    private static BufferedReader newReader(Path file) throws IOException {
        return new BufferedReader(new InputStreamReader(open(file), StandardCharsets.UTF_8.newDecoder()));
    }

    static JlensException missing(Path file) {
        return new JlensException(file + ": file not found");
    }

    private static JlensException unreadable(Path file, IOException e) {
        return new JlensException(file + ": cannot read: " + e.getMessage(), e);
    }

    private static JlensException badJson(Path file, JacksonException e) {
        TokenStreamLocation where = e.getLocation();
        String at = where == null ? "" : " at line " + where.getLineNr() + ", column " + where.getColumnNr();
        return new JlensException(file + ": bad JSON" + at + ": " + Text.oneLine(e.getOriginalMessage()), e);
    }

    private static JlensException problem(Path file, JsonParser parser, String what) {
        return problem(file, parser.currentTokenLocation(), what);
    }

    private static JlensException problem(Path file, TokenStreamLocation where, String what) {
        return new JlensException(file + ": line " + where.getLineNr() + ": " + what);
    }

    private static String describe(JsonParser parser, JsonToken token) {
        return switch (token) {
            case VALUE_STRING -> Json.brief(parser.getString());
            case VALUE_NUMBER_FLOAT, VALUE_NUMBER_INT, VALUE_TRUE, VALUE_FALSE -> parser.getText();
            case VALUE_NULL -> "null";
            case START_OBJECT -> "an object";
            case START_ARRAY -> "a list";
            default -> String.valueOf(token);
        };
    }

    private static String typeOf(JsonNode node) {
        if (node == null || node.isNull()) {
            return "null";
        }
        JsonNode type = node.get("type");
        return type == null ? "without a type" : type.toString();
    }

}
