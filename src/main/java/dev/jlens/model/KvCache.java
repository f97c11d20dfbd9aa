package dev.jlens.model;

/**
 * Keys and values of earlier positions, per layer, so a later run computes only new positions
 * (TransformerLens' past_kv_cache; used by generate and by the patching engine). Keys and values are
 * stored [batch, positions, n_heads*d_head] after their hooks ran, as TransformerLens appends them.
 * Not thread-safe: one cache belongs to one sequence of runs.
 */
public final class KvCache implements PastKeyValues {
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

    /** Keys per layer as [batch, capacity, width]; rows past {@code length() + appended} are garbage. */
    @Override
    public float[][] keys() {
        return keys;
    }

    @Override
    public float[][] values() {
        return values;
    }

    @Override
    public void accept(int layer, RowLayout rows, Attention.Rows k, Attention.Rows v) {
        int cap = capacity();
        for (int s = 0; s < rows.segments(); s++) {
            int b = rows.sequence(s), from = rows.firstPos(s), n = rows.length(s);
            if (from + n > cap) throw new IllegalStateException("KV cache holds " + cap + " positions; " + (from + n) + " needed");
            for (int t = 0; t < n; t++) {
                int row = rows.rowStart(s) + t, dst = (b * cap + from + t) * width;
                System.arraycopy(k.data(), k.at(row), keys[layer], dst, width);
                System.arraycopy(v.data(), v.at(row), values[layer], dst, width);
            }
        }
    }

    @Override
    public boolean holdsOwn() {
        return true;
    }

    @Override
    public int offset(int b) {
        return b * capacity() * width;
    }

    /** Called once every layer has appended the same n positions. */
    void advance(int n) {
        length += n;
    }
}
