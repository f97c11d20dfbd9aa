package dev.jlens.model;

import dev.jlens.hooks.HookedRun;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Kernels;
import dev.jlens.tensor.Parallel;
import dev.jlens.tensor.Tensor;

import java.util.Arrays;

/**
 * Causal self-attention of one block, from queries, keys and values to z: scores {@code q.k / sqrt(d_head)}
 * with the causal and padding masks, softmax, pattern-weighted values. Each query row's result depends only on
 * its own query and its sequence's keys, and every row goes through the same kernels, so a row gets the same
 * bits however many rows run with it and however they are laid out.
 *
 * <p>When a hook wants the scores or the pattern they are made as one [batch, head, query, key] tensor;
 * otherwise each (segment, head) goes from scores to z in a small per-thread buffer.
 */
final class Attention {
    /** Row r of a [rows, width] activation at {@code data[off + r*stride]}. */
    record Rows(float[] data, int off, int stride) {
        int at(int row) {
            return off + row * stride;
        }
    }

    private final ModelConfig cfg;
    private final int nh, e, he;
    private final int kvHe, repeats;  // key/value rows' width; query heads per key/value head (grouped-query attention)
    private final float softCap;      // attn_scores_soft_cap, or 0
    private final int window;         // local attention's window_size, or 0 (global)

    Attention(ModelConfig cfg) {
        this(cfg, -1);
    }

    Attention(ModelConfig cfg, int layer) {
        this.cfg = cfg;
        this.nh = cfg.nHeads();
        this.e = cfg.dHead();
        this.he = nh * e;
        this.kvHe = cfg.kvWidth();
        this.repeats = nh / cfg.nKeyValueHeads();
        this.softCap = cfg.variant().attnScoresSoftCap();
        this.window = layer >= 0 && cfg.localAttention(layer) ? cfg.variant().windowSize() : 0;
    }

    /** Where head {@code head}'s keys and values start in a key or value row. */
    private int kvAt(int head) {
        return (head / repeats) * e;
    }

    /**
     * TransformerLens' soft cap {@code cap * tanh(s / cap)} on the unmasked scores of {@code queries} rows (the
     * first at position {@code qPos}), and local attention's window: keys {@code window} or more positions back
     * are masked. A no-op for GPT-2.
     */
    private void adjustScores(float[] scores, int off, int queries, int qPos, int keyLen, int ld) {
        if (softCap <= 0 && window <= 0) return;
        for (int t = 0; t < queries; t++) {
            int row = off + t * ld, p = qPos + t, limit = Math.min(keyLen, p + 1);
            for (int j = 0; j < limit; j++) {
                float s = scores[row + j];
                if (softCap > 0 && s != Float.NEGATIVE_INFINITY) scores[row + j] = softCap * (float) Math.tanh(s / softCap);
                if (window > 0 && j <= p - window) scores[row + j] = Float.NEGATIVE_INFINITY;
            }
        }
    }

    /** Per-thread keys, values and scores of one segment, grown as needed and reused. */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[4][0]);

    private static float[] scratch(int which, int size) {
        float[][] s = SCRATCH.get();
        if (s[which].length < size) s[which] = new float[size];
        return s[which];
    }

    /**
     * z [output rows, n_heads*d_head] of layer {@code layer} from this run's q, k, v (one row per input row),
     * firing the hooks {@code scoresId} (attn_scores) and {@code patternId} (pattern).
     */
    Tensor z(int layer, Rows q, Rows k, Rows v, BlockRun run, int scoresId, int patternId) {
        RowLayout rows = run.rows();
        PastKeyValues past = run.past();
        if (past != null) past.accept(layer, rows, k, v);
        HookedRun h = run.hooks();
        Tape.Block tape = run.tape(layer);
        if (tape != null) {
            tape.q = q;
            tape.k = k;
            tape.v = v;
        }
        int outRows = rows.outputRows();
        float[] z = run.buffers().get(Buffers.Slot.Z, outRows * he);
        Arrays.fill(z, 0, outRows * he, 0f);
        boolean[] padded = padded(run.attentionMask(), rows);
        if (h.isHooked(scoresId) || h.isHooked(patternId)) {
            materialized(layer, q, k, v, run, scoresId, patternId, padded, z);
        } else if (past == null || past.holdsOwn()) {
            Parallel.forEach(rows.segments() * nh, sh -> {
                int s = sh / nh, head = sh % nh;
                segment(rows, s, head, q, inPlace(layer, rows, s, k, past, 0), inPlace(layer, rows, s, v, past, 1), padded, z);
            });
        } else {
            Parallel.forEach(rows.segments(), s -> {
                int at = past.offset(rows.sequence(s));
                Rows keys = gathered(0, past.keys(layer), at, rows, s, k), values = gathered(1, past.values(layer), at, rows, s, v);
                for (int head = 0; head < nh; head++) segment(rows, s, head, q, keys, values, padded, z);
            });
        }
        return Tensor.wrap(z, 0, run.shape(outRows, nh, e));
    }

    /** Scores, softmax and values of one (segment, head) through a per-thread scores buffer. */
    private void segment(RowLayout rows, int s, int head, Rows q, Rows keys, Rows values, boolean[] padded, float[] z) {
        int keyLen = rows.keyLength(s), len = rows.length(s), row0 = rows.rowStart(s);
        // With lastOnly, only the segment's last query, into output row s.
        boolean last = rows.lastOnly();
        int queries = last ? 1 : len, qRow = last ? row0 + len - 1 : row0, qPos = last ? keyLen - 1 : rows.firstPos(s), zRow = last ? s : row0;
        float[] scores = scratch(2, queries * keyLen);
        Kernels.attentionScores(q.data(), q.at(qRow) + head * e, q.stride(), queries, qPos,
                keys.data(), keys.off() + kvAt(head), keys.stride(), keyLen, e, cfg.attnScale(),
                padded, rows.sequence(s) * keyLen, scores, 0, keyLen);
        adjustScores(scores, 0, queries, qPos, keyLen, keyLen);
        for (int t = 0; t < queries; t++) Kernels.softmax(scores, t * keyLen, keyLen);
        Kernels.attentionValues(scores, 0, keyLen, queries, keyLen,
                values.data(), values.off() + kvAt(head), values.stride(), e, z, zRow * he + head * e, he);
    }

    /**
     * All scores as one tensor, for hooks: [batch, head, query, key], hooked, softmaxed into the pattern (a copy
     * when a hook saw the scores), hooked, then applied to the values. Only on a rectangle of rows.
     */
    private void materialized(int layer, Rows q, Rows k, Rows v, BlockRun run, int scoresId, int patternId, boolean[] padded, float[] z) {
        RowLayout rows = run.rows();
        HookedRun h = run.hooks();
        if (!rows.rectangular() || rows.lastOnly()) throw new IllegalStateException("attention hooks fire only on a rectangle of rows");
        int batch = rows.segments(), pos = rows.length(0), first = rows.firstPos(0), keyLen = first + pos;
        PastKeyValues past = run.past();
        Tensor scores = Tensor.zeros(batch, nh, pos, keyLen);
        float[] sd = scores.data();
        Parallel.forEach(batch * nh, bh -> {
            int b = bh / nh, head = bh % nh;
            Rows keys = inPlace(layer, rows, b, k, past, 0);
            Kernels.attentionScores(q.data(), q.at(b * pos) + head * e, q.stride(), pos, first,
                    keys.data(), keys.off() + kvAt(head), keys.stride(), keyLen, e, cfg.attnScale(),
                    padded, b * keyLen, sd, (b * nh + head) * pos * keyLen, keyLen);
            adjustScores(sd, (b * nh + head) * pos * keyLen, pos, first, keyLen, keyLen);
        });
        scores = h.fire(scoresId, scores);
        Tensor pattern = h.isHooked(scoresId) || scores.offset() != 0 ? scores.copy() : scores;
        float[] pd = pattern.data();
        Parallel.forRows(batch * nh * pos, 64, (from, to) -> {
            for (int row = from; row < to; row++) Kernels.softmax(pd, row * keyLen, keyLen);
        });
        Tape.Block tape = run.tape(layer);
        if (tape != null) tape.pattern0 = h.isHooked(patternId) ? pattern.toArray() : pattern.data();
        pattern = h.fire(patternId, pattern);
        float[] pat = pattern.offset() == 0 ? pattern.data() : pattern.toArray();
        if (tape != null) tape.pattern = pat;
        Parallel.forEach(batch * nh, bh -> {
            int b = bh / nh, head = bh % nh;
            Rows values = inPlace(layer, rows, b, v, past, 1);
            Kernels.attentionValues(pat, (b * nh + head) * pos * keyLen, keyLen, pos, keyLen,
                    values.data(), values.off() + kvAt(head), values.stride(), e, z, b * pos * he + head * e, he);
        });
    }

    /**
     * z of queries {@code from..} of every sequence from a given pattern [batch, head, query, key] and values
     * [batch, key, n_key_value_heads*d_head]: attention after a patched pattern.
     */
    Tensor zFromPattern(Tensor pattern, float[] values, int from) {
        int batch = pattern.shape(0), pos = pattern.shape(2), n = pos - from;
        float[] pd = pattern.offset() == 0 ? pattern.data() : pattern.toArray();
        float[] z = new float[batch * n * he];
        Parallel.forEach(batch * nh, bh -> {
            int b = bh / nh, head = bh % nh;
            Kernels.attentionValues(pd, ((b * nh + head) * pos + from) * pos, pos, n, pos, values, b * pos * kvHe + kvAt(head), kvHe, e,
                    z, (b * n * nh + head) * e, he);
        });
        return Tensor.of(z, batch, n, nh, e);
    }

    /**
     * The gradient [rows, 3 * n_heads * d_head] of the query, key and value rows per query head (in that order; with
     * grouped-query attention a key/value head's gradient is spread over the heads sharing it) from the
     * gradient of z [batch, pos, n_heads, d_head], firing the backward hooks of the pattern and the scores.
     * With z = p v, p = softmax(s) and s = q k / scale: {@code dv = p^T dz}, {@code dp = dz v^T},
     * {@code ds = p (dp - sum(p dp))}, {@code dq = ds k / scale}, {@code dk = ds^T q / scale}. Only for a
     * rectangle of rows starting at position 0 (no past keys).
     */
    float[] backward(Tensor gZ, Tape.Block tape, BlockRun run, int scoresId, int patternId) {
        RowLayout rows = run.rows();
        HookedRun h = run.hooks();
        int batch = rows.segments(), pos = rows.length(0), bh = batch * nh, he3 = 3 * he;
        float[] gz = gZ.offset() == 0 ? gZ.data() : gZ.toArray();
        float[] gqkv = new float[rows.rows() * he3];
        Rows q = tape.q, k = tape.k, v = tape.v;
        boolean[] padded = padded(run.attentionMask(), rows);
        if (tape.pattern == null && !h.isBackwardHooked(scoresId) && !h.isBackwardHooked(patternId)) {
            Parallel.forEach(bh, i -> {
                int b = i / nh, head = i % nh, row0 = b * pos;
                float[] p = scratch(0, pos * pos), g = scratch(1, pos * pos), t = scratch(2, pos * pos);
                Kernels.attentionScores(q.data(), q.at(row0) + head * e, q.stride(), pos, 0, k.data(), k.at(row0) + kvAt(head), k.stride(),
                        pos, e, cfg.attnScale(), padded, b * pos, p, 0, pos);
                adjustScores(p, 0, pos, 0, pos, pos);
                for (int r = 0; r < pos; r++) Kernels.softmax(p, r * pos, pos);
                patternGradient(gz, v, b, head, pos, 0, g, 0);
                valueGradient(p, 0, gz, b, head, pos, t, gqkv);
                for (int r = 0; r < pos; r++) Kernels.softmaxBackward(p, r * pos, g, r * pos, g, r * pos, pos);
                softCapGradient(g, 0, q, k, b, head, pos, padded);
                queryKeyGradient(g, 0, q, k, b, head, pos, t, gqkv);
            });
            return gqkv;
        }
        int per = pos * pos;
        float[] p0, p;
        if (tape.pattern != null) {
            p0 = tape.pattern0;
            p = tape.pattern;
        } else {
            p0 = p = new float[bh * per];
            Parallel.forEach(bh, i -> {
                int b = i / nh, head = i % nh, row0 = b * pos;
                Kernels.attentionScores(q.data(), q.at(row0) + head * e, q.stride(), pos, 0, k.data(), k.at(row0) + kvAt(head), k.stride(),
                        pos, e, cfg.attnScale(), padded, b * pos, p0, i * per, pos);
                adjustScores(p0, i * per, pos, 0, pos, pos);
                for (int r = 0; r < pos; r++) Kernels.softmax(p0, i * per + r * pos, pos);
            });
        }
        float[] gp = new float[bh * per];
        Parallel.forEach(bh, i -> {
            int b = i / nh, head = i % nh;
            // every key: a hook may have put weight on a masked one, and the gradient of a pattern entry is defined there too
            patternGradient(gz, v, b, head, pos, pos, gp, i * per);
            valueGradient(p, i * per, gz, b, head, pos, scratch(2, per), gqkv);
        });
        Tensor gPattern = h.fireBackward(patternId, Tensor.wrap(gp, 0, batch, nh, pos, pos));
        float[] gpd = gPattern.offset() == 0 ? gPattern.data() : gPattern.toArray();
        float[] gs = new float[bh * per];
        Parallel.forRows(bh * pos, 64, (from, to) -> {
            for (int r = from; r < to; r++) Kernels.softmaxBackward(p0, r * pos, gpd, r * pos, gs, r * pos, pos);
        });
        Tensor gScores = h.fireBackward(scoresId, Tensor.wrap(gs, 0, batch, nh, pos, pos));
        float[] gsd = gScores.offset() == 0 ? gScores.data() : gScores.toArray();
        Parallel.forEach(bh, i -> {
            int b = i / nh, head = i % nh;
            float[] g = scratch(1, per);
            System.arraycopy(gsd, i * per, g, 0, per);
            softCapGradient(g, 0, q, k, b, head, pos, padded);
            queryKeyGradient(g, 0, q, k, b, head, pos, scratch(2, per), gqkv);
        });
        return gqkv;
    }

    /**
     * With an attention soft cap, turns the gradient of the capped scores of one (sequence, head) into that of
     * the scaled scores: {@code * (1 - tanh(s / cap)^2)}, s recomputed from q and k (keys a causal or window
     * mask excludes have no gradient through the cap).
     */
    private void softCapGradient(float[] g, int gOff, Rows q, Rows k, int b, int head, int pos, boolean[] padded) {
        if (softCap <= 0) return;
        float[] s = scratch(3, pos * pos);
        Kernels.attentionScores(q.data(), q.at(b * pos) + head * e, q.stride(), pos, 0, k.data(), k.at(b * pos) + kvAt(head), k.stride(),
                pos, e, cfg.attnScale(), padded, b * pos, s, 0, pos);
        for (int t = 0; t < pos; t++) {
            for (int j = 0; j <= t; j++) {
                float x = s[t * pos + j];
                if (x == Float.NEGATIVE_INFINITY) continue;
                double th = Math.tanh(x / softCap);
                g[gOff + t * pos + j] *= (float) (1 - th * th);
            }
        }
    }

    /** {@code dp[t, j] = dz_t . v_j} of one (sequence, head) for keys j <= t, or every key with {@code firstPos = pos}. */
    private void patternGradient(float[] gz, Rows v, int b, int head, int pos, int firstPos, float[] out, int outOff) {
        Kernels.attentionScores(gz, b * pos * he + head * e, he, pos, firstPos, v.data(), v.at(b * pos) + kvAt(head), v.stride(),
                pos, e, 1f, null, 0, out, outOff, pos);
    }

    /** {@code dv_j = sum_t p[t, j] dz_t} of one (sequence, head), into the value part of {@code gqkv}. */
    private void valueGradient(float[] p, int pOff, float[] gz, int b, int head, int pos, float[] transposed, float[] gqkv) {
        transpose(p, pOff, pos, transposed);
        Kernels.attentionValues(transposed, 0, pos, pos, pos, gz, b * pos * he + head * e, he, e, gqkv, b * pos * 3 * he + 2 * he + head * e, 3 * he);
    }

    /** {@code dq = ds k / scale} and {@code dk = ds^T q / scale} of one (sequence, head); {@code ds} is overwritten. */
    private void queryKeyGradient(float[] gs, int gsOff, Rows q, Rows k, int b, int head, int pos, float[] transposed, float[] gqkv) {
        float scale = cfg.attnScale();
        for (int i = 0; i < pos * pos; i++) gs[gsOff + i] /= scale;
        int base = b * pos * 3 * he + head * e;
        Kernels.attentionValues(gs, gsOff, pos, pos, pos, k.data(), k.at(b * pos) + kvAt(head), k.stride(), e, gqkv, base, 3 * he);
        transpose(gs, gsOff, pos, transposed);
        Kernels.attentionValues(transposed, 0, pos, pos, pos, q.data(), q.at(b * pos) + head * e, q.stride(), e, gqkv, base + he, 3 * he);
    }

    private static void transpose(float[] a, int off, int n, float[] out) {
        for (int r = 0; r < n; r++) for (int c = 0; c < n; c++) out[c * n + r] = a[off + r * n + c];
    }

    /** The keys (which 0) or values (1) segment {@code s} sees, where they are: in the past source when it holds them all, else its own rows. */
    private Rows inPlace(int layer, RowLayout rows, int s, Rows own, PastKeyValues past, int which) {
        if (past == null) return new Rows(own.data(), own.at(rows.rowStart(s)), own.stride());
        return new Rows(which == 0 ? past.keys(layer) : past.values(layer), past.offset(rows.sequence(s)), kvHe);
    }

    /** Positions [0, first) from a past source, then the segment's own rows, in a per-thread buffer. */
    private Rows gathered(int which, float[] past, int pastOff, RowLayout rows, int s, Rows own) {
        int first = rows.firstPos(s), len = rows.length(s);
        float[] out = scratch(which, rows.keyLength(s) * kvHe);
        System.arraycopy(past, pastOff, out, 0, first * kvHe);
        for (int t = 0; t < len; t++) System.arraycopy(own.data(), own.at(rows.rowStart(s) + t), out, (first + t) * kvHe, kvHe);
        return new Rows(out, 0, kvHe);
    }

    /** Keys a padding mask [batch, key] excludes, or null. */
    private static boolean[] padded(IntTensor mask, RowLayout rows) {
        if (mask == null) return null;
        if (!rows.rectangular()) throw new IllegalStateException("an attention mask needs a rectangle of rows");
        int batch = rows.segments(), keyLen = rows.keyLength(0);
        boolean[] padded = new boolean[batch * keyLen];
        for (int b = 0; b < batch; b++) for (int j = 0; j < keyLen; j++) padded[b * keyLen + j] = mask.item(b, j) == 0;
        return padded;
    }
}
