package dev.jlens.tokenizer;

import dev.jlens.JlensException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The BPE model of a tokenizer.json beyond GPT-2's byte-level one: a piece's characters (code points) are looked
 * up one by one, a character the vocabulary lacks becomes the tokens of its UTF-8 bytes ({@code <0x41>}: Llama 2's
 * and Gemma's {@code byte_fallback}) or the unknown token (consecutive ones fused with {@code fuse_unk}); then the
 * merges apply by rank ({@link BpeMerges}). With {@code ignore_merges} (Llama 3) a piece that is a token as a whole
 * is that token, whatever the merges would make of it. As Hugging Face's {@code models/bpe/model.rs}.
 */
final class BpeModel {
    private final Map<String, Integer> vocab;
    private final BpeMerges merges;
    private final int[] byteFallbackIds; // the <0xXX> token of each byte, or null without byte fallback
    private final int unkId; // -1: none
    private final boolean fuseUnk;
    private final boolean ignoreMerges;
    private final PieceCache cache = new PieceCache(PieceCache.DEFAULT_CAPACITY);

    BpeModel(Map<String, Integer> vocab, BpeMerges merges, int[] byteFallbackIds, int unkId, boolean fuseUnk,
             boolean ignoreMerges) {
        this.vocab = vocab;
        this.merges = merges;
        this.byteFallbackIds = byteFallbackIds;
        this.unkId = unkId;
        this.fuseUnk = fuseUnk;
        this.ignoreMerges = ignoreMerges;
    }

    /** The <0xXX> token of each byte, -1 where the vocabulary has none (Gemma has no {@code <0x09>}: tab is a token). */
    static int[] byteFallbackIds(Map<String, Integer> vocab) {
        int[] ids = new int[256];
        for (int b = 0; b < 256; b++) {
            Integer id = vocab.get(String.format("<0x%02X>", b));
            ids[b] = id == null ? -1 : id;
        }
        return ids;
    }

    /** The byte tokens of a character, or null if one of its bytes has none (it is then unknown). */
    private int[] byteTokens(String ch) {
        byte[] utf8 = ch.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[utf8.length];
        for (int i = 0; i < utf8.length; i++) {
            ids[i] = byteFallbackIds[utf8[i] & 0xFF];
            if (ids[i] < 0) return null;
        }
        return ids;
    }

    /** The ids of one pre-tokenized piece; the array may be shared with the cache and must not be changed. */
    int[] encode(String piece) {
        int[] cached = cache.get(piece);
        if (cached != null) return cached;
        int[] ids = encodeUncached(piece);
        cache.offer(piece, ids);
        return ids;
    }

    private int[] encodeUncached(String piece) {
        if (ignoreMerges) {
            Integer whole = vocab.get(piece);
            if (whole != null) return new int[] {whole};
        }
        IntList symbols = new IntList(piece.length());
        boolean lastWasUnk = false;
        for (int i = 0; i < piece.length(); ) {
            int c = piece.codePointAt(i);
            int width = Character.charCount(c);
            String ch = piece.substring(i, i + width);
            i += width;
            Integer id = vocab.get(ch);
            int[] bytes = id == null && byteFallbackIds != null ? byteTokens(ch) : null;
            if (id != null) {
                symbols.add(id);
                lastWasUnk = false;
            } else if (bytes != null) {
                symbols.addAll(bytes);
                lastWasUnk = false;
            } else if (unkId >= 0) {
                if (!(fuseUnk && lastWasUnk)) symbols.add(unkId);
                lastWasUnk = true;
            } else {
                throw new JlensException(String.format("the tokenizer has no token for U+%04X and no unknown token",
                        c));
            }
        }
        return merges.apply(symbols.toArray());
    }
}
