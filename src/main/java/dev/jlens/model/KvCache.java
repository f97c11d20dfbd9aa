package dev.jlens.model;

import dev.jlens.tensor.Tensor;

/**
 * Keys and values of earlier positions, per layer, so a later run computes only new positions
 * (TransformerLens' past_kv_cache; used by generate and by the patching engine). Keys and values are
 * stored [batch, positions, n_heads*d_head] after their hooks ran, as TransformerLens appends them.
 * Not thread-safe: one cache belongs to one sequence of runs.
 */
public final class KvCache {
    private final int batch, width;
    private final float[][] keys, values;
    private int length;

    public KvCache(int nLayers, int batch, int width, int capacity) {
        this.batch = batch;
        this.width = width;
        this.keys = new float[nLayers][];
        this.values = new float[nLayers][];
        for (int l = 0; l < nLayers; l++) {
            keys[l] = new float[batch * capacity * width];
            values[l] = new float[batch * capacity * width];
        }
    }

    /** Positions held so far (the position offset of the next run). */
    public int length() {
        return length;
    }

    public int batch() {
        return batch;
    }

    int capacity() {
        return keys[0].length / Math.max(1, batch * width);
    }

    /** Layer keys as [batch, capacity, width]; rows past {@code length() + appended} are garbage. */
    float[] keys(int layer) {
        return keys[layer];
    }

    float[] values(int layer) {
        return values[layer];
    }

    /** Copies new keys/values [batch, n, width] of one layer in after the stored positions. */
    void append(int layer, Tensor k, Tensor v, int n) {
        int cap = capacity();
        if (length + n > cap) throw new IllegalStateException("KV cache holds " + cap + " positions; " + (length + n) + " needed");
        for (int b = 0; b < batch; b++) {
            System.arraycopy(k.data(), k.offset() + b * n * width, keys[layer], (b * cap + length) * width, n * width);
            System.arraycopy(v.data(), v.offset() + b * n * width, values[layer], (b * cap + length) * width, n * width);
        }
    }

    /** Called once every layer has appended the same n positions. */
    void advance(int n) {
        length += n;
    }

    /** A copy holding the first {@code n} positions: the shared prefix a patching sweep starts from. */
    public KvCache truncatedCopy(int n) {
        if (n > length) throw new IllegalArgumentException("cache holds " + length + " positions, not " + n);
        KvCache c = new KvCache(keys.length, batch, width, capacity());
        for (int l = 0; l < keys.length; l++) {
            System.arraycopy(keys[l], 0, c.keys[l], 0, keys[l].length);
            System.arraycopy(values[l], 0, c.values[l], 0, values[l].length);
        }
        c.length = n;
        return c;
    }
}
