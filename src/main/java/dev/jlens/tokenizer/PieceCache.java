package dev.jlens.tokenizer;

import java.util.concurrent.ConcurrentHashMap;

/**
 * A memo of pre-tokenized piece -> token ids. Text repeats its words, so most pieces skip BPE. Bounded: once full
 * it stops taking new entries (as Hugging Face's BPE cache does) rather than evicting, which keeps it lock-free and
 * simple; the words seen first are the common ones anyway. Long pieces are not kept, so a huge input cannot fill
 * memory. Safe for concurrent use; the arrays it holds are never handed out to be changed.
 */
final class PieceCache {
    static final int DEFAULT_CAPACITY = 100_000;
    /** Pieces longer than this (in chars) are encoded every time. */
    static final int MAX_PIECE_LENGTH = 256;

    private final ConcurrentHashMap<String, int[]> ids = new ConcurrentHashMap<>();
    private final int capacity;

    PieceCache(int capacity) {
        this.capacity = capacity;
    }

    int[] get(String piece) {
        return ids.get(piece);
    }

    void offer(String piece, int[] pieceIds) {
        if (piece.length() <= MAX_PIECE_LENGTH && ids.size() < capacity) {
            ids.putIfAbsent(piece, pieceIds);
        }
    }

    int size() {
        return ids.size();
    }
}
