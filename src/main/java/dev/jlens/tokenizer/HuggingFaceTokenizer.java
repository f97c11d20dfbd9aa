package dev.jlens.tokenizer;

import dev.jlens.JlensException;
import dev.jlens.io.Json;
import dev.jlens.tokenizer.AddedTokens.AddedToken;
import dev.jlens.tokenizer.PreTokenizers.Piece;
import dev.jlens.tokenizer.TokenizerFiles.Full;
import dev.jlens.tokenizer.TokenizerFiles.Merge;
import dev.jlens.tokenizer.TokenizerFiles.Pipeline;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import tools.jackson.databind.JsonNode;

/**
 * A BPE tokenizer as Hugging Face's {@code tokenizer.json} defines it, beyond GPT-2: Pythia's (GPT-NeoX: NFC, then
 * GPT-2's byte-level BPE, with runs of spaces as added tokens), Llama 3's (byte-level BPE cut by its own regex,
 * {@code ignore_merges}), and the SentencePiece-style ones of Llama 2 and Gemma ({@code ▁} for spaces, byte
 * fallback). Id for id the same as Hugging Face's {@code tokenizers} with {@code add_special_tokens=False}.
 *
 * <p>Encoding, as Hugging Face's: cut the text at the added tokens that match the raw text; normalize each stretch
 * between them; cut that at the added tokens that match normalized text; pre-tokenize each remaining stretch into
 * pieces; encode each piece with the BPE model. Decoding runs the file's decoder over the tokens' strings, added
 * tokens included ({@code tokenizer.decode(ids)}; no clean-up of spaces).
 *
 * <p>BOS, EOS and PAD are TransformerLens': the tokens the model folder's tokenizer_config.json names, PAD falling
 * back to EOS and BOS to the post-processor's leading special token, then to EOS ({@link SpecialTokens}).
 * Immutable and safe to share between threads.
 */
public final class HuggingFaceTokenizer implements Tokenizer {
    private final String[] tokenOfId; // null where no token has that id
    private final boolean[] specialId;
    private final Map<String, Integer> idOfToken;
    private final AddedTokens rawAddedTokens; // matched in the text as given
    private final AddedTokens normalizedAddedTokens; // matched in the normalized text
    private final UnaryOperator<String> normalizer;
    private final PreTokenizers.Step preTokenizer;
    private final BpeModel model;
    private final Function<List<String>, String> decoder;
    private final OptionalInt templateBos;
    private final int vocabSize;
    private final int bosId;
    private final int eosId;
    private final int padId;

    private HuggingFaceTokenizer(Builder b, SpecialTokens.Names names, Path source) {
        this.tokenOfId = b.tokenOfId;
        this.specialId = b.specialId;
        this.idOfToken = b.idOfToken;
        this.rawAddedTokens = new AddedTokens(b.raw);
        this.normalizedAddedTokens = new AddedTokens(b.normalized);
        this.normalizer = b.normalizer;
        this.preTokenizer = b.preTokenizer;
        this.model = b.model;
        this.decoder = b.decoder;
        this.templateBos = b.templateBos;
        this.vocabSize = b.idOfToken.size();
        this.eosId = idOf(names.eos(), "EOS", source);
        this.padId = names.pad() == null ? eosId : idOf(names.pad(), "PAD", source);
        this.bosId = names.bos() != null ? idOf(names.bos(), "BOS", source)
                : templateBos.isPresent() ? templateBos.getAsInt() : eosId;
    }

    private int idOf(String token, String role, Path source) {
        Integer id = idOfToken.get(token);
        if (id == null) {
            throw new JlensException(source + ": the " + role + " token " + Json.brief(token)
                    + " is not in the tokenizer's vocabulary");
        }
        return id;
    }

    /** The tokenizer of a tokenizer.json, with the special tokens of the tokenizer_config.json beside it. */
    public static HuggingFaceTokenizer fromTokenizerJson(Path tokenizerJson) {
        Path folder = tokenizerJson.toAbsolutePath().getParent();
        return fromTokenizerJson(tokenizerJson, SpecialTokens.read(folder));
    }

    static HuggingFaceTokenizer fromTokenizerJson(Path tokenizerJson, SpecialTokens.Names names) {
        Full full = TokenizerFiles.readAnyTokenizerJson(tokenizerJson);
        Builder builder;
        try {
            builder = new Builder(full, tokenizerJson);
        } catch (IllegalArgumentException e) {
            throw new JlensException(tokenizerJson + ": " + e.getMessage());
        }
        return new HuggingFaceTokenizer(builder, names, tokenizerJson);
    }

    /** Everything but the special-token roles, built and checked from the file's parts. */
    private static final class Builder {
        String[] tokenOfId;
        boolean[] specialId;
        Map<String, Integer> idOfToken;
        List<AddedToken> raw = new ArrayList<>();
        List<AddedToken> normalized = new ArrayList<>();
        UnaryOperator<String> normalizer;
        PreTokenizers.Step preTokenizer;
        BpeModel model;
        Function<List<String>, String> decoder;
        OptionalInt templateBos = OptionalInt.empty();

        Builder(Full full, Path file) {
            Map<String, Integer> vocab = full.definition().vocab();
            Pipeline pipeline = full.pipeline();
            int maxId = vocab.values().stream().mapToInt(Integer::intValue).max().orElse(-1);
            for (AddedToken token : full.definition().addedTokens()) maxId = Math.max(maxId, token.id());
            tokenOfId = new String[maxId + 1];
            specialId = new boolean[maxId + 1];
            vocab.forEach((token, id) -> tokenOfId[id] = token);
            idOfToken = new HashMap<>(vocab);
            readAddedTokens(full, pipeline.addedTokens(), vocab);
            normalizer = Normalizers.of(pipeline.normalizer());
            preTokenizer = PreTokenizers.of(pipeline.preTokenizer());
            decoder = Decoders.of(pipeline.decoder());
            model = model(vocab, full.definition().merges(), pipeline.modelOptions());
            templateBos = templateBos(pipeline.postProcessor());
        }

        private void readAddedTokens(Full full, JsonNode entries, Map<String, Integer> vocab) {
            List<AddedToken> added = full.definition().addedTokens();
            for (int i = 0; i < added.size(); i++) {
                AddedToken token = added.get(i);
                JsonNode entry = entries.get(i);
                for (String flag : List.of("lstrip", "rstrip", "single_word")) {
                    if (entry.path(flag).asBoolean(false)) {
                        throw new IllegalArgumentException("added_tokens[" + i + "] " + Json.brief(token.content())
                                + " has " + flag + "=true, which is not supported");
                    }
                }
                String holder = tokenOfId[token.id()];
                if (holder != null && !holder.equals(token.content())) {
                    throw new IllegalArgumentException("added token " + Json.brief(token.content()) + " has id "
                            + token.id() + ", which token " + Json.brief(holder) + " already has");
                }
                tokenOfId[token.id()] = token.content();
                specialId[token.id()] = token.special();
                idOfToken.put(token.content(), token.id());
                // Special tokens are never normalized (Hugging Face's default); others are unless they say not.
                boolean isNormalized = entry.path("normalized").asBoolean(!token.special());
                (isNormalized ? normalized : raw).add(token);
            }
        }

        private static BpeModel model(Map<String, Integer> vocab, List<Merge> merges, Map<String, JsonNode> options) {
            for (String unsupported : List.of("continuing_subword_prefix", "end_of_word_suffix")) {
                JsonNode value = options.get(unsupported);
                if (!TokenizerJson.absent(value) && !value.asString("").isEmpty()) {
                    throw new IllegalArgumentException("model." + unsupported + " is not supported");
                }
            }
            JsonNode dropout = options.get("dropout");
            if (!TokenizerJson.absent(dropout) && dropout.asDouble(0) != 0) {
                throw new IllegalArgumentException("model.dropout " + dropout + " is not supported: it makes the"
                        + " ids random");
            }
            BpeMerges.Builder table = new BpeMerges.Builder();
            for (Merge merge : merges) {
                table.add(inVocab(vocab, merge.left(), merge, "token"), inVocab(vocab, merge.right(), merge, "token"),
                        inVocab(vocab, merge.left() + merge.right(), merge, "merged token"));
            }
            JsonNode unk = options.get("unk_token");
            int unkId = -1;
            if (!TokenizerJson.absent(unk)) {
                Integer id = vocab.get(unk.asString());
                if (id == null) {
                    throw new IllegalArgumentException("model.unk_token " + unk + " is not in the vocabulary");
                }
                unkId = id;
            }
            boolean byteFallback = options.containsKey("byte_fallback") && options.get("byte_fallback").asBoolean(false);
            return new BpeModel(vocab, table.build(), byteFallback ? BpeModel.byteFallbackIds(vocab) : null, unkId,
                    options.containsKey("fuse_unk") && options.get("fuse_unk").asBoolean(false),
                    options.containsKey("ignore_merges") && options.get("ignore_merges").asBoolean(false));
        }

        private static int inVocab(Map<String, Integer> vocab, String token, Merge merge, String what) {
            Integer id = vocab.get(token);
            if (id == null) {
                throw new JlensException(merge.location() + ": " + what + " " + Json.brief(token) + " of merge "
                        + Json.brief(merge.left() + " " + merge.right()) + " is not in the vocabulary");
            }
            return id;
        }

        /** The special token a TemplateProcessing post-processor puts before a single text (Llama 2, Gemma: BOS). */
        private OptionalInt templateBos(JsonNode post) {
            if (TokenizerJson.absent(post) || !"TemplateProcessing".equals(post.path("type").asString(""))) {
                return OptionalInt.empty();
            }
            JsonNode first = post.path("single").path(0).path("SpecialToken");
            if (first.isMissingNode()) return OptionalInt.empty();
            JsonNode ids = post.path("special_tokens").path(first.path("id").asString("")).path("ids");
            if (ids.size() != 1 || !ids.get(0).canConvertToInt()) return OptionalInt.empty();
            return OptionalInt.of(ids.get(0).intValue());
        }
    }

    // -------------------------------------------------------------------------------------------------------------
    // Encoding

    /** The token ids of {@code text}, without BOS; added tokens written in the text become their ids. */
    @Override
    public int[] encode(String text) {
        Objects.requireNonNull(text, "text");
        Gpt2Tokenizer.requireWellFormed(text);
        IntList ids = new IntList(text.length() / 3 + 4);
        rawAddedTokens.split(text, new AddedTokens.SegmentSink() {
            @Override
            public void text(int start, int end) {
                String normalized = normalizer.apply(text.substring(start, end));
                boolean atStart = start == 0;
                normalizedAddedTokens.split(normalized, new AddedTokens.SegmentSink() {
                    @Override
                    public void text(int from, int to) {
                        List<Piece> pieces = new ArrayList<>();
                        preTokenizer.split(new Piece(normalized.substring(from, to), atStart && from == 0), pieces);
                        for (Piece piece : pieces) ids.addAll(model.encode(piece.text()));
                    }

                    @Override
                    public void addedToken(int id) {
                        ids.add(id);
                    }
                });
            }

            @Override
            public void addedToken(int id) {
                ids.add(id);
            }
        });
        return ids.toArray();
    }

    // -------------------------------------------------------------------------------------------------------------
    // Decoding

    /** The text of one token alone, as {@code decode([id])}: what {@code to_str_tokens} shows. */
    @Override
    public String tokenString(int id) {
        return decode(new int[] {id}, false);
    }

    @Override
    public String decode(int[] ids, boolean skipSpecial) {
        List<String> tokens = new ArrayList<>(ids.length);
        for (int id : ids) {
            if (id < 0 || id >= tokenOfId.length || tokenOfId[id] == null) {
                throw new JlensException("token id " + id + " is not in the vocabulary (ids 0.." + (tokenOfId.length - 1)
                        + ")");
            }
            if (!(skipSpecial && specialId[id])) tokens.add(tokenOfId[id]);
        }
        return decoder.apply(tokens);
    }

    // -------------------------------------------------------------------------------------------------------------
    // Vocabulary

    /** Number of tokens, added tokens included ({@code len(tokenizer)}). */
    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public int bosId() {
        return bosId;
    }

    @Override
    public int eosId() {
        return eosId;
    }

    @Override
    public int padId() {
        return padId;
    }

    /** Whether Hugging Face's post-processor itself puts BOS before a text ({@code add_special_tokens=True}). */
    public boolean postProcessorAddsBos() {
        return templateBos.isPresent();
    }

    /** The id of a token as tokenizer.json writes it ({@code "▁Hello"}, {@code "<s>"}). */
    public OptionalInt idOf(String token) {
        Integer id = idOfToken.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }
}
