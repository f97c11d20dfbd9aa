package dev.jlens.tokenizer;

import java.util.Arrays;

/**
 * The merge table of a byte-level BPE model, over token ids: pair (left, right) -> (rank, id of the merged token),
 * and the BPE loop that applies it to one pre-tokenized piece.
 *
 * <p>The loop is Hugging Face's ({@code tokenizers/src/models/bpe/word.rs}): repeatedly merge the adjacent pair
 * with the lowest rank, the leftmost one among equals, until no adjacent pair has a merge. A min-heap of
 * (rank, position) keeps it O(n log n), so a pathological piece (say 100,000 digits of punctuation) stays cheap.
 * Everything is primitive arrays: no boxing on the encode path.
 */
final class BpeMerges {
    private static final long EMPTY = -1L;

    /** Open addressing, linear probing; keys and values packed into longs, table size a power of two. */
    private final long[] keys;
    private final long[] values;
    private final int mask;
    private final int size;

    private BpeMerges(long[] keys, long[] values, int size) {
        this.keys = keys;
        this.values = values;
        this.mask = keys.length - 1;
        this.size = size;
    }

    /** Collects merges in rank order (rank = order of {@link #add}). A pair given twice keeps its later rank, as in Hugging Face. */
    static final class Builder {
        private int[] lefts = new int[1024];
        private int[] rights = new int[1024];
        private int[] mergedIds = new int[1024];
        private int count;

        void add(int left, int right, int merged) {
            if (count == lefts.length) {
                lefts = Arrays.copyOf(lefts, count * 2);
                rights = Arrays.copyOf(rights, count * 2);
                mergedIds = Arrays.copyOf(mergedIds, count * 2);
            }
            lefts[count] = left;
            rights[count] = right;
            mergedIds[count] = merged;
            count++;
        }

        BpeMerges build() {
            int capacity = Integer.highestOneBit(Math.max(4, count * 2 - 1)) << 1;
            long[] keys = new long[capacity];
            long[] values = new long[capacity];
            Arrays.fill(keys, EMPTY);
            int distinct = 0;
            for (int rank = 0; rank < count; rank++) {
                long key = pairKey(lefts[rank], rights[rank]);
                int slot = slotOf(keys, capacity - 1, key);
                if (keys[slot] == EMPTY) {
                    distinct++;
                }
                keys[slot] = key;
                values[slot] = ((long) rank << 32) | (mergedIds[rank] & 0xFFFFFFFFL);
            }
            return new BpeMerges(keys, values, distinct);
        }
    }

    int size() {
        return size;
    }

    /** The hash table itself, for the {@link TokenizerCache}. */
    record Table(long[] keys, long[] values, int size) {}

    Table table() {
        return new Table(keys, values, size);
    }

    /** A merge table from its hash table (as {@link #table()} gave it). */
    static BpeMerges of(Table t) {
        if (t.keys().length != t.values().length || Integer.bitCount(t.keys().length) != 1) {
            throw new IllegalArgumentException("not a merge table: " + t.keys().length + " keys, " + t.values().length + " values");
        }
        return new BpeMerges(t.keys(), t.values(), t.size());
    }

    /** The packed (rank, merged id) of the pair, or -1 if the pair has no merge. */
    private long lookup(int left, int right) {
        long key = pairKey(left, right);
        int slot = slotOf(keys, mask, key);
        return keys[slot] == key ? values[slot] : -1L;
    }

    /** Rank of merging {@code left} and {@code right}, or -1 if they never merge. */
    int rank(int left, int right) {
        long packed = lookup(left, right);
        return packed < 0 ? -1 : (int) (packed >>> 32);
    }

    private static long pairKey(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private static int slotOf(long[] keys, int mask, long key) {
        int slot = (int) mix(key) & mask;
        while (keys[slot] != EMPTY && keys[slot] != key) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    private static long mix(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return h ^ (h >>> 29);
    }

    /**
     * Applies the merges to a piece given as its initial symbols (the ids of its byte-level characters); returns the
     * final token ids. {@code symbols} is used as scratch and must not be used afterwards.
     */
    int[] apply(int[] symbols) {
        int n = symbols.length;
        if (n < 2) {
            return symbols;
        }
        int[] ids = symbols; // ids[i] == -1: symbol i was merged into its left neighbor
        int[] next = new int[n];
        int[] prev = new int[n];
        for (int i = 0; i < n; i++) {
            next[i] = i + 1 < n ? i + 1 : -1;
            prev[i] = i - 1;
        }
        // Each merge adds at most two heap entries, and there are at most n - 1 merges.
        LongMinHeap heap = new LongMinHeap(3 * n);
        for (int i = 0; i + 1 < n; i++) {
            int rank = rank(ids[i], ids[i + 1]);
            if (rank >= 0) {
                heap.push(entry(rank, i));
            }
        }
        while (!heap.isEmpty()) {
            long top = heap.pop();
            int rank = (int) (top >>> 32);
            int pos = (int) top;
            int right = next[pos];
            if (ids[pos] < 0 || right < 0) {
                continue; // stale: this symbol was merged away, or has nothing on its right any more
            }
            long packed = lookup(ids[pos], ids[right]);
            if (packed < 0 || (int) (packed >>> 32) != rank) {
                continue; // stale: a neighbor changed since the entry was pushed
            }
            ids[pos] = (int) packed;
            ids[right] = -1;
            int afterRight = next[right];
            next[pos] = afterRight;
            if (afterRight >= 0) {
                prev[afterRight] = pos;
                int r = rank(ids[pos], ids[afterRight]);
                if (r >= 0) {
                    heap.push(entry(r, pos));
                }
            }
            int left = prev[pos];
            if (left >= 0) {
                int r = rank(ids[left], ids[pos]);
                if (r >= 0) {
                    heap.push(entry(r, left));
                }
            }
        }
        int count = 0;
        for (int i = 0; i >= 0; i = next[i]) {
            count++;
        }
        int[] result = new int[count];
        int k = 0;
        for (int i = 0; i >= 0; i = next[i]) {
            result[k++] = ids[i];
        }
        return result;
    }

    /** Orders by rank, then by position, which is the leftmost-first tie-break. */
    private static long entry(int rank, int pos) {
        return ((long) rank << 32) | pos;
    }

    /** A binary min-heap of longs with a fixed capacity. */
    private static final class LongMinHeap {
        private final long[] items;
        private int size;

        LongMinHeap(int capacity) {
            items = new long[capacity];
        }

        boolean isEmpty() {
            return size == 0;
        }

        void push(long item) {
            int i = size++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (items[parent] <= item) {
                    break;
                }
                items[i] = items[parent];
                i = parent;
            }
            items[i] = item;
        }

        long pop() {
            long top = items[0];
            long last = items[--size];
            int i = 0;
            int half = size >>> 1;
            while (i < half) {
                int child = 2 * i + 1;
                if (child + 1 < size && items[child + 1] < items[child]) {
                    child++;
                }
                if (last <= items[child]) {
                    break;
                }
                items[i] = items[child];
                i = child;
            }
            items[i] = last;
            return top;
        }
    }
}
