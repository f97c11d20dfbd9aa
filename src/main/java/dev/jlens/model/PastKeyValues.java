package dev.jlens.model;

/**
 * Keys and values of the positions before each segment's first, which attention reads besides the rows it
 * computes itself: a {@link KvCache} (earlier runs of a generation), or {@link Prefix} (the patching engine's
 * corrupted run, whose keys and values are the same as a patched run's before the patch). Arrays are
 * [sequence, position, n_heads*d_head] per layer.
 */
interface PastKeyValues {
    /**
     * Called with a layer's own keys and values (one row per input row) before attention
     * reads them. A source that {@link #holdsOwn} copies them in after its positions.
     */
    void accept(int layer, RowLayout rows, Attention.Rows k, Attention.Rows v);

    /** After {@link #accept}, {@link #keys} holds every position a segment sees, its own included. */
    boolean holdsOwn();

    /** Keys per layer: sequence {@code b}'s from {@link #offset}, a row of n_heads*d_head per position. */
    float[][] keys();

    float[][] values();

    default float[] keys(int layer) {
        return keys()[layer];
    }

    default float[] values(int layer) {
        return values()[layer];
    }

    /** Where sequence {@code b}'s position 0 is in {@link #keys} and {@link #values}. */
    int offset(int b);

    /** The keys and values of every position of a finished run, per layer [batch, pos, n_heads*d_head]. */
    record Prefix(float[][] keys, float[][] values, int pos, int width) implements PastKeyValues {
        @Override
        public void accept(int layer, RowLayout rows, Attention.Rows k, Attention.Rows v) {}

        @Override
        public boolean holdsOwn() {
            return false;
        }

        @Override
        public int offset(int b) {
            return b * pos * width;
        }
    }
}
