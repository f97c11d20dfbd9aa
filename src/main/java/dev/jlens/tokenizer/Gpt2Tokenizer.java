package dev.jlens.tokenizer;

import dev.jlens.JlensException;
import dev.jlens.io.Json;
import dev.jlens.io.FileKind;
import dev.jlens.tokenizer.AddedTokens.AddedToken;
import dev.jlens.tokenizer.TokenizerFiles.Definition;
import dev.jlens.tokenizer.TokenizerFiles.Merge;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Supplier;

/**
 * The GPT-2 tokenizer: byte-level BPE, id for id the same as Hugging Face's GPT-2 tokenizer (fast or slow).
 *
 * <p>Encoding: cut the text at added tokens ({@code <|endoftext|>}), which keep their ids; cut each stretch between
 * them into pieces with GPT-2's regex ({@link PreTokenizer}); write each piece's UTF-8 bytes as byte-level
 * characters ({@link ByteLevel}); merge them by rank ({@link BpeMerges}). No BOS and no prefix space are added:
 * callers that want TransformerLens' BOS prepend {@link #endOfTextId()}.
 *
 * <p>Decoding: token strings back to bytes, then UTF-8 with one U+FFFD per ill-formed subpart
 * ({@link Utf8Replacing}), as {@code tokenizer.decode(ids, skip_special_tokens=False,
 * clean_up_tokenization_spaces=False)}.
 *
 * <p>Immutable after loading and safe to share between threads; the only shared mutable state is a concurrent,
 * bounded memo of piece -> ids.
 */
public final class Gpt2Tokenizer implements Tokenizer {
    private final String[] tokenOfId; // vocab and added tokens as written in vocab.json; null where no token has that id
    private final byte[][] bytesOfId; // null where no token has that id
    private final boolean[] specialId;
    private final int[] idOfByte; // the token of each single byte: BPE's starting symbols
    private final BpeMerges merges;
    private final List<AddedToken> addedTokenList;
    private final AddedTokens addedTokens;
    private final int endOfTextId;
    private final int vocabSize;
    private final PieceCache cache;
    /** token string -> id, built on first use: encoding and decoding never need it, and it is 50,000 entries. */
    private volatile Map<String, Integer> idOfToken;

    /** Everything a tokenizer is made of, as built from its files or read back from the {@link TokenizerCache}. */
    record Tables(String[] tokenOfId, int vocabSize, byte[][] bytesOfId, boolean[] specialId, int[] idOfByte, BpeMerges merges,
                  List<AddedToken> addedTokens, int endOfTextId) {}

    private Gpt2Tokenizer(Tables t, PieceCache cache) {
        this.tokenOfId = t.tokenOfId();
        this.bytesOfId = t.bytesOfId();
        this.specialId = t.specialId();
        this.idOfByte = t.idOfByte();
        this.merges = t.merges();
        this.addedTokenList = List.copyOf(t.addedTokens());
        this.addedTokens = new AddedTokens(addedTokenList);
        this.endOfTextId = t.endOfTextId();
        this.vocabSize = t.vocabSize();
        this.cache = cache;
    }

    Tables tables() {
        return new Tables(tokenOfId, vocabSize, bytesOfId, specialId, idOfByte, merges, addedTokenList, endOfTextId);
    }

    /** The same tokenizer with a piece cache of the given capacity (0: none), sharing the tables. For benchmarks. */
    Gpt2Tokenizer withCacheCapacity(int capacity) {
        return new Gpt2Tokenizer(tables(), new PieceCache(capacity));
    }

    // -------------------------------------------------------------------------------------------------------------
    // Loading

    /**
     * The tokenizer of a Hugging Face model folder: {@code vocab.json} + {@code merges.txt} if both are there (what
     * the slow GPT-2 tokenizer reads), else {@code tokenizer.json}.
     */
    public static Gpt2Tokenizer load(Path modelDir) {
        return load(modelDir, Optional.empty());
    }

    /**
     * As {@link #load(Path)}, keeping the built tables in {@code cacheFolder} (when given) so that the next load
     * of the same files reads them back instead of parsing the files again.
     */
    public static Gpt2Tokenizer load(Path modelDir, Optional<Path> cacheFolder) {
        if (!Files.isDirectory(modelDir)) {
            throw new JlensException(modelDir + ": " + (Files.exists(modelDir) ? "not a folder" : "folder not found")
                    + "; expected a model folder with vocab.json + merges.txt or tokenizer.json");
        }
        Path vocab = modelDir.resolve("vocab.json");
        Path mergesTxt = modelDir.resolve("merges.txt");
        Path tokenizerJson = modelDir.resolve("tokenizer.json");
        if (Files.isRegularFile(vocab) && Files.isRegularFile(mergesTxt)) {
            return cached(cacheFolder, List.of(vocab, mergesTxt), () -> fromVocabAndMerges(vocab, mergesTxt));
        }
        if (Files.isRegularFile(tokenizerJson)) {
            return cached(cacheFolder, List.of(tokenizerJson), () -> fromTokenizerJson(tokenizerJson));
        }
        FileKind.refuseOtherKinds("a tokenizer file", vocab, mergesTxt, tokenizerJson);
        String found = Files.isRegularFile(vocab) ? " (vocab.json is there, merges.txt is not)"
                : Files.isRegularFile(mergesTxt) ? " (merges.txt is there, vocab.json is not)" : "";
        throw new JlensException(modelDir + ": no tokenizer files: expected vocab.json + merges.txt or tokenizer.json"
                + found);
    }

    private static Gpt2Tokenizer cached(Optional<Path> cacheFolder, List<Path> sources, Supplier<Gpt2Tokenizer> build) {
        if (cacheFolder.isEmpty()) return build.get();
        Path file;
        try {
            file = TokenizerCache.fileFor(cacheFolder.get(), sources);
        } catch (IOException e) {
            return build.get();
        }
        Optional<Tables> tables = TokenizerCache.read(file);
        if (tables.isPresent()) return new Gpt2Tokenizer(tables.get(), new PieceCache(PieceCache.DEFAULT_CAPACITY));
        Gpt2Tokenizer built = build.get();
        TokenizerCache.write(file, built.tables());
        return built;
    }

    public static Gpt2Tokenizer fromVocabAndMerges(Path vocabJson, Path mergesTxt) {
        return build(TokenizerFiles.readVocabAndMerges(vocabJson, mergesTxt), vocabJson);
    }

    public static Gpt2Tokenizer fromTokenizerJson(Path tokenizerJson) {
        return build(TokenizerFiles.readTokenizerJson(tokenizerJson), tokenizerJson);
    }

    /** Checks that the parts fit together (merges in the vocabulary, every byte a token) and indexes them. */
    private static Gpt2Tokenizer build(Definition definition, Path vocabSource) {
        Map<String, Integer> vocab = definition.vocab(); // ids already checked to be distinct
        int maxId = -1;
        for (int id : vocab.values()) {
            maxId = Math.max(maxId, id);
        }
        for (AddedToken token : definition.addedTokens()) {
            maxId = Math.max(maxId, token.id());
        }
        String[] tokenOfId = new String[maxId + 1];
        vocab.forEach((token, id) -> tokenOfId[id] = token);
        Map<String, Integer> idOfToken = new HashMap<>(vocab);
        boolean[] specialId = new boolean[maxId + 1];
        for (AddedToken token : definition.addedTokens()) {
            String holder = tokenOfId[token.id()];
            if (holder != null && !holder.equals(token.content())) {
                Integer inVocab = vocab.get(token.content());
                throw new JlensException(vocabSource + ": added token " + Json.brief(token.content())
                        + " has id " + token.id() + (inVocab != null ? " but the vocabulary gives it id " + inVocab
                                : ", which token " + Json.brief(holder) + " already has"));
            }
            Integer before = idOfToken.put(token.content(), token.id());
            if (before != null && before != token.id()) {
                throw new JlensException(vocabSource + ": added token " + Json.brief(token.content())
                        + " has id " + token.id() + " but the vocabulary gives it id " + before);
            }
            tokenOfId[token.id()] = token.content();
            specialId[token.id()] = token.special();
        }
        byte[][] bytesOfId = new byte[maxId + 1][];
        for (int id = 0; id <= maxId; id++) {
            if (tokenOfId[id] != null) {
                bytesOfId[id] = ByteLevel.bytesOfToken(tokenOfId[id]);
            }
        }

        Integer endOfText = idOfToken.get(TokenizerFiles.END_OF_TEXT);
        if (endOfText == null) {
            throw new JlensException(vocabSource + ": no " + TokenizerFiles.END_OF_TEXT
                    + " token; a GPT-2 vocabulary has it (id 50256)");
        }
        int[] idOfByte = new int[256];
        for (int b = 0; b < 256; b++) {
            Integer id = vocab.get(String.valueOf(ByteLevel.charOf(b)));
            if (id == null) {
                throw new JlensException(String.format("%s: the vocabulary has no token for byte 0x%02X (\"%c\");"
                        + " not a GPT-2 byte-level vocabulary", vocabSource, b, ByteLevel.charOf(b)));
            }
            idOfByte[b] = id;
        }

        BpeMerges.Builder mergeTable = new BpeMerges.Builder();
        for (Merge merge : definition.merges()) {
            int left = requireInVocab(vocab, merge.left(), merge, "token");
            int right = requireInVocab(vocab, merge.right(), merge, "token");
            int merged = requireInVocab(vocab, merge.left() + merge.right(), merge, "merged token");
            mergeTable.add(left, right, merged);
        }
        return new Gpt2Tokenizer(new Tables(tokenOfId, idOfToken.size(), bytesOfId, specialId, idOfByte, mergeTable.build(),
                definition.addedTokens(), endOfText), new PieceCache(PieceCache.DEFAULT_CAPACITY));
    }

    private static int requireInVocab(Map<String, Integer> vocab, String token, Merge merge, String what) {
        Integer id = vocab.get(token);
        if (id == null) {
            throw new JlensException(merge.location() + ": " + what + " " + Json.brief(token)
                    + " of merge " + Json.brief(merge.left() + " " + merge.right())
                    + " is not in the vocabulary");
        }
        return id;
    }

    // -------------------------------------------------------------------------------------------------------------
    // Encoding

    /**
     * The token ids of {@code text}, without BOS. Added tokens written in the text ({@code <|endoftext|>}) become
     * their ids. Throws {@link JlensException} if the text has an unpaired surrogate (it has no UTF-8).
     */
    @Override
    public int[] encode(String text) {
        Objects.requireNonNull(text, "text");
        requireWellFormed(text);
        IntList ids = new IntList(text.length() / 3 + 4);
        addedTokens.split(text, new AddedTokens.SegmentSink() {
            @Override
            public void text(int start, int end) {
                PreTokenizer.split(text, start, end, (from, to) -> ids.addAll(encodePiece(text.substring(from, to))));
            }

            @Override
            public void addedToken(int id) {
                ids.add(id);
            }
        });
        return ids.toArray();
    }

    /** The ids of one pre-tokenized piece; the array may be shared with the cache and must not be changed. */
    private int[] encodePiece(String piece) {
        int[] cached = cache.get(piece);
        if (cached != null) {
            return cached;
        }
        byte[] utf8 = piece.getBytes(StandardCharsets.UTF_8);
        int[] symbols = new int[utf8.length];
        for (int i = 0; i < utf8.length; i++) {
            symbols[i] = idOfByte[utf8[i] & 0xFF];
        }
        int[] ids = merges.apply(symbols);
        cache.offer(piece, ids);
        return ids;
    }

    static void requireWellFormed(String text) {
        int i = unpairedSurrogate(text);
        if (i >= 0) {
            throw new JlensException(String.format("text has an unpaired surrogate U+%04X at index %d", (int) text.charAt(i), i));
        }
    }

    /**
     * The index of the first unpaired surrogate in {@code text}, or -1 when it has none (when it is valid Unicode
     * and so has a UTF-8 encoding).
     */
    public static int unpairedSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < text.length()
                        && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return i;
            }
        }
        return -1;
    }

    // -------------------------------------------------------------------------------------------------------------
    // Decoding

    /** The text of one token alone, as {@code to_str_tokens} shows it: U+FFFD where it holds part of a character. */
    @Override
    public String tokenString(int id) {
        return Utf8Replacing.decode(bytesOf(id));
    }

    /** The bytes that token {@code id} stands for (a copy). */
    byte[] tokenBytes(int id) {
        return bytesOf(id).clone();
    }

    @Override
    public String decode(int[] ids, boolean skipSpecial) {
        int length = 0;
        for (int id : ids) {
            length += bytesOf(id).length;
        }
        byte[] bytes = new byte[length];
        int at = 0;
        for (int id : ids) {
            if (skipSpecial && specialId[id]) {
                continue;
            }
            byte[] token = bytesOfId[id];
            System.arraycopy(token, 0, bytes, at, token.length);
            at += token.length;
        }
        return Utf8Replacing.decode(bytes, 0, at);
    }

    private byte[] bytesOf(int id) {
        if (id < 0 || id >= bytesOfId.length || bytesOfId[id] == null) {
            // Hugging Face drops unknown ids silently; an id from nowhere is a bug worth hearing about.
            throw new JlensException("token id " + id + " is not in the vocabulary (ids 0.." + (bytesOfId.length - 1)
                    + ")");
        }
        return bytesOfId[id];
    }

    // -------------------------------------------------------------------------------------------------------------
    // Vocabulary

    /** Number of tokens, added tokens included: 50257 for GPT-2. */
    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public int bosId() {
        return endOfTextId();
    }

    @Override
    public int eosId() {
        return endOfTextId();
    }

    @Override
    public int padId() {
        return endOfTextId();
    }

    /** {@code <|endoftext|>}, which GPT-2 uses as BOS, EOS, UNK and (in TransformerLens) PAD: 50256. */
    public int endOfTextId() {
        return endOfTextId;
    }

    private Map<String, Integer> idOfToken() {
        Map<String, Integer> map = idOfToken;
        if (map == null) {
            Map<String, Integer> built = new HashMap<>(tokenOfId.length * 2);
            for (int id = 0; id < tokenOfId.length; id++) if (tokenOfId[id] != null) built.put(tokenOfId[id], id);
            idOfToken = map = Map.copyOf(built);
        }
        return map;
    }

    /** The id of a token written as in {@code vocab.json} (byte-level: {@code "Ġworld"} for " world"). */
    public OptionalInt idOf(String byteLevelTokenString) {
        Integer id = idOfToken().get(byteLevelTokenString);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }
}
