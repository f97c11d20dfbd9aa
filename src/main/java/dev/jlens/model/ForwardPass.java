package dev.jlens.model;

import dev.jlens.JlensException;
import dev.jlens.hooks.HookPoints;
import dev.jlens.hooks.HookPoints.Global;
import dev.jlens.hooks.HookPoints.Site;
import dev.jlens.hooks.HookedRun;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Kernels;
import dev.jlens.tensor.PackedMatrix;
import dev.jlens.tensor.Parallel;
import dev.jlens.tensor.Tensor;

/**
 * GPT-2's forward pass as TransformerLens computes it (spec section 4), firing every hook point in
 * TransformerLens' order. Activations are [batch, pos, ...] tensors; rows of the products are the
 * batch*pos positions. A hook point with nothing attached costs one array read.
 */
final class ForwardPass {
    private final ModelConfig cfg;
    private final ModelWeights w;
    private final HookPoints points;

    ForwardPass(ModelConfig cfg, ModelWeights w, HookPoints points) {
        this.cfg = cfg;
        this.w = w;
        this.points = points;
    }

    /**
     * What to run.
     *
     * @param tokens        [batch, pos] ids; needed unless {@code residual} is given
     * @param residual      [batch, pos, d_model] input of block {@code startLayer} (start_at_layer), or null
     * @param startLayer    first block to run
     * @param stopLayer     blocks [startLayer, stopLayer) run; when stopLayer < n_layers the residual is returned
     * @param unembed       compute logits (else return_type=None: ln_final runs, unembed does not)
     * @param attentionMask [batch, past+pos] 1 = attend, 0 = padding; null = no mask (TransformerLens' right-padding default)
     * @param kv            earlier positions' keys and values, extended by this run; null = none
     * @param lastLogitsOnly unembed only the last position: logits [batch, 1, d_vocab] (for metrics that read
     *                      only those; the unembedding is most of a small model's work)
     */
    record Request(IntTensor tokens, Tensor residual, int startLayer, int stopLayer, boolean unembed,
                   IntTensor attentionMask, KvCache kv, HookedRun hooks, boolean lastLogitsOnly) {}

    /** Logits (when unembedded) or the residual stream after the last block run. */
    record Result(Tensor logits, Tensor residual) {}

    Result run(Request r) {
        // From here the real work calls the kernels often enough to get them compiled; a warm-up still
        // running would only take a core from it.
        dev.jlens.tensor.WarmUp.stop();
        HookedRun h = r.hooks();
        int past = r.kv() == null ? 0 : r.kv().length();
        Tensor resid;
        int batch, pos;
        if (r.residual() == null) {
            batch = r.tokens().shape(0);
            pos = r.tokens().shape(1);
            checkLength(past + pos);
            resid = embed(r.tokens(), past, r.attentionMask(), h);
        } else {
            resid = r.residual();
            batch = resid.shape(0);
            pos = resid.shape(1);
            checkLength(past + pos);
        }
        for (int l = r.startLayer(); l < r.stopLayer(); l++) {
            resid = block(l, resid, batch, pos, past, r.attentionMask(), r.kv(), h);
        }
        if (r.kv() != null) r.kv().advance(pos);
        if (r.stopLayer() < cfg.nLayers()) return new Result(null, resid);

        Tensor normalized = layerNorm(resid, batch, pos, w.lnfW, w.lnfB,
                HookPoints.id(Global.LN_FINAL_SCALE), HookPoints.id(Global.LN_FINAL_NORMALIZED), h);
        if (!r.unembed()) return new Result(null, resid);
        if (r.lastLogitsOnly() && pos > 1) {
            normalized = normalized.get(":", dev.jlens.tensor.Index.range(pos - 1, pos), ":");
            pos = 1;
        }
        normalized = h.fire(HookPoints.id(Global.UNEMBED_IN), normalized);
        Tensor logits = Tensor.zeros(batch, pos, cfg.dVocabOut());
        w.wU.multiply(normalized.data(), normalized.offset(), batch * pos, w.bU, logits.data(), 0);
        logits = h.fire(HookPoints.id(Global.UNEMBED_OUT), logits);
        return new Result(logits, resid);
    }

    private void checkLength(int total) {
        if (total > cfg.nCtx()) {
            throw new JlensException("the input is " + total + " tokens long, more than the model's context of " + cfg.nCtx() + " tokens (n_ctx)");
        }
    }

    private Tensor embed(IntTensor tokens, int past, IntTensor mask, HookedRun h) {
        int batch = tokens.shape(0), pos = tokens.shape(1), d = cfg.dModel();
        Tensor embed = Tensor.zeros(batch, pos, d);
        Tensor posEmbed = Tensor.zeros(batch, pos, d);
        for (int b = 0; b < batch; b++) {
            int[] posIds = positionIds(mask, b, past, pos);
            for (int p = 0; p < pos; p++) {
                int id = tokens.item(b, p);
                if (id < 0 || id >= cfg.dVocab()) {
                    throw new JlensException("token id " + id + " at batch " + b + ", position " + p + " is outside the vocabulary (0.." + (cfg.dVocab() - 1) + ")");
                }
                int row = (b * pos + p) * d;
                w.wE.copyRow(id, embed.data(), row);
                if (posIds[p] >= 0) w.wPos.copyRow(posIds[p], posEmbed.data(), row);
            }
        }
        embed = h.fire(HookPoints.id(Global.EMBED), embed);
        posEmbed = h.fire(HookPoints.id(Global.POS_EMBED), posEmbed);
        return embed.add(posEmbed);
    }

    /**
     * Position of each new token: past+p without a mask; with a mask, the number of attended positions
     * before it (so left padding does not shift positions), and -1 (zero embedding) at padded positions.
     */
    private static int[] positionIds(IntTensor mask, int b, int past, int pos) {
        int[] ids = new int[pos];
        if (mask == null) {
            for (int p = 0; p < pos; p++) ids[p] = past + p;
            return ids;
        }
        int seen = 0;
        for (int j = 0; j < past + pos; j++) {
            int m = mask.item(b, j);
            seen += m;
            if (j >= past) ids[j - past] = m == 0 ? -1 : Math.max(0, seen - 1);
        }
        return ids;
    }

    private Tensor block(int l, Tensor residPre, int batch, int pos, int past, IntTensor mask, KvCache kv, HookedRun h) {
        ModelWeights.Layer lw = w.layers[l];
        residPre = h.fire(points.id(l, Site.RESID_PRE), residPre);
        Tensor attnOut = attention(l, lw, residPre, batch, pos, past, mask, kv, h);
        attnOut = h.fire(points.id(l, Site.ATTN_OUT), attnOut);
        Tensor residMid = h.fire(points.id(l, Site.RESID_MID), residPre.add(attnOut));

        Tensor n2 = layerNorm(residMid, batch, pos, lw.ln2w(), lw.ln2b(), points.id(l, Site.LN2_SCALE), points.id(l, Site.LN2_NORMALIZED), h);
        Tensor pre = linear(n2, lw.wIn(), lw.bIn(), batch, pos);
        pre = h.fire(points.id(l, Site.MLP_PRE), pre);
        // In place unless a hook saw hook_pre (it may keep the tensor, as a cache does).
        Tensor post = h.isHooked(points.id(l, Site.MLP_PRE)) ? pre.copy() : pre;
        LayerMath.geluNew(post.data(), post.offset(), batch * pos, cfg.dMlp());
        post = h.fire(points.id(l, Site.MLP_POST), post);
        Tensor mlpOut = h.fire(points.id(l, Site.MLP_OUT), linear(post, lw.wOut(), lw.bOut(), batch, pos));
        return h.fire(points.id(l, Site.RESID_POST), residMid.add(mlpOut));
    }

    private Tensor attention(int l, ModelWeights.Layer lw, Tensor resid, int batch, int pos, int past, IntTensor mask,
                             KvCache kv, HookedRun h) {
        int nh = cfg.nHeads(), e = cfg.dHead(), he = nh * e;
        int scaleId = points.id(l, Site.LN1_SCALE), normId = points.id(l, Site.LN1_NORMALIZED);
        // TransformerLens applies ln1 three times (query, key, value input); only a hook can tell them apart.
        boolean separate = h.isHooked(scaleId) || h.isHooked(normId);
        Tensor nq = layerNorm(resid, batch, pos, lw.ln1w(), lw.ln1b(), scaleId, normId, h);
        Tensor nk = separate ? layerNorm(resid, batch, pos, lw.ln1w(), lw.ln1b(), scaleId, normId, h) : nq;
        Tensor nv = separate ? layerNorm(resid, batch, pos, lw.ln1w(), lw.ln1b(), scaleId, normId, h) : nq;

        // One product for query, key and value (their weights are columns of one matrix); with ln1 hooked,
        // each of the three inputs goes through it and keeps its own third.
        Tensor qkv = linear(nq, lw.wQKV(), lw.bQKV(), batch, pos);
        Tensor qkvK = separate ? linear(nk, lw.wQKV(), lw.bQKV(), batch, pos) : qkv;
        Tensor qkvV = separate ? linear(nv, lw.wQKV(), lw.bQKV(), batch, pos) : qkv;
        Tensor q = h.fire(points.id(l, Site.Q), third(qkv, 0, batch, pos, nh, e));
        Tensor k = h.fire(points.id(l, Site.K), third(qkvK, 1, batch, pos, nh, e));
        Tensor v = h.fire(points.id(l, Site.V), third(qkvV, 2, batch, pos, nh, e));

        // Keys/values of all positions this run attends to: [batch, keyLen, he] with row stride he.
        int keyLen = past + pos;
        final float[] keys, values;
        final int keyBatchStride;
        if (kv != null) {
            kv.append(l, k, v, pos);
            keys = kv.keys(l);
            values = kv.values(l);
            keyBatchStride = kv.capacity() * he;
        } else {
            keys = k.offset() == 0 ? k.data() : k.toArray();
            values = v.offset() == 0 ? v.data() : v.toArray();
            keyBatchStride = pos * he;
        }

        boolean[] padded = null;  // keys an attention mask excludes
        if (mask != null) {
            padded = new boolean[batch * keyLen];
            for (int b = 0; b < batch; b++) for (int j = 0; j < keyLen; j++) padded[b * keyLen + j] = mask.item(b, j) == 0;
        }
        final boolean[] excluded = padded;
        Tensor scores = Tensor.zeros(batch, nh, pos, keyLen);
        float[] qd = q.offset() == 0 ? q.data() : q.toArray(), sd = scores.data();
        float scale = cfg.attnScale();
        Parallel.forEach(batch * nh, bh -> {
            int b = bh / nh, head = bh % nh;
            Kernels.attentionScores(qd, (b * pos * nh + head) * e, he, pos, past,
                    keys, b * keyBatchStride + head * e, he, keyLen, e, scale,
                    excluded, b * keyLen, sd, (b * nh + head) * pos * keyLen, keyLen);
        });
        scores = h.fire(points.id(l, Site.ATTN_SCORES), scores);

        Tensor pattern = h.isHooked(points.id(l, Site.ATTN_SCORES)) || scores.offset() != 0 ? scores.copy() : scores;
        float[] pd = pattern.data();
        for (int row = 0; row < batch * nh * pos; row++) Kernels.softmax(pd, row * keyLen, keyLen);
        pattern = h.fire(points.id(l, Site.PATTERN), pattern);

        Tensor z = Tensor.zeros(batch, pos, nh, e);
        float[] zd = z.data(), pat = pattern.offset() == 0 ? pattern.data() : pattern.toArray();
        Parallel.forEach(batch * nh, bh -> {
            int b = bh / nh, head = bh % nh;
            Kernels.attentionValues(pat, (b * nh + head) * pos * keyLen, keyLen, pos, keyLen,
                    values, b * keyBatchStride + head * e, he, e, zd, (b * pos * nh + head) * e, he);
        });
        z = h.fire(points.id(l, Site.Z), z);

        if (cfg.useAttnResult()) return attentionViaHeadResults(l, lw, z, batch, pos, h);
        Tensor out = Tensor.zeros(batch, pos, cfg.dModel());
        lw.wO().multiply(z.data(), z.offset(), batch * pos, lw.bO(), out.data(), 0);
        return out;
    }

    /** With use_attn_result: each head's output is computed (and hooked) separately, then summed. */
    private Tensor attentionViaHeadResults(int l, ModelWeights.Layer lw, Tensor z, int batch, int pos, HookedRun h) {
        int nh = cfg.nHeads(), e = cfg.dHead(), d = cfg.dModel();
        Tensor wO = lw.wO().unpack();  // [nh*e, d]
        Tensor result = Tensor.zeros(batch, pos, nh, d);
        float[] rd = result.data(), zd = z.toArray(), wd = wO.data();
        for (int row = 0; row < batch * pos; row++) {
            for (int head = 0; head < nh; head++) {
                int rAt = (row * nh + head) * d;
                for (int k = 0; k < e; k++) {
                    Kernels.axpy(zd[(row * nh + head) * e + k], wd, (head * e + k) * d, rd, rAt, d);
                }
            }
        }
        result = h.fire(points.id(l, Site.RESULT), result);
        Tensor out = result.sum(2);
        float[] od = out.data();
        for (int row = 0; row < batch * pos; row++) Kernels.add(od, row * d, lw.bO(), 0, od, row * d, d);
        return out;
    }

    /** Columns [part*he, (part+1)*he) of a [rows, 3*he] product, as [batch, pos, heads, d_head]. */
    private static Tensor third(Tensor qkv, int part, int batch, int pos, int nh, int e) {
        int he = nh * e, rows = batch * pos;
        float[] out = new float[rows * he], src = qkv.data();
        for (int r = 0; r < rows; r++) System.arraycopy(src, qkv.offset() + r * 3 * he + part * he, out, r * he, he);
        return Tensor.of(out, batch, pos, nh, e);
    }

    /** {@code x @ W + b} over all batch*pos rows. */
    private static Tensor linear(Tensor x, PackedMatrix wm, float[] bias, int batch, int pos) {
        Tensor out = Tensor.zeros(batch, pos, wm.cols());
        wm.multiply(x.data(), x.offset(), batch * pos, bias, out.data(), 0);
        return out;
    }

    /**
     * LayerNormPre (weights folded) or LayerNorm: centre, fire hook_scale with sqrt(mean(x^2)+eps) [b, p, 1],
     * divide by the (possibly hooked) scale, fire hook_normalized, then apply w, b when not folded.
     */
    private Tensor layerNorm(Tensor x, int batch, int pos, float[] lnW, float[] lnB, int scaleId, int normId, HookedRun h) {
        int d = cfg.dModel(), rows = batch * pos;
        Tensor centred = Tensor.zeros(batch, pos, d);
        Tensor scale = Tensor.zeros(batch, pos, 1);
        float[] xd = x.data(), cd = centred.data(), sd0 = scale.data();
        Parallel.forRows(rows, LayerMath.MIN_ROWS_PER_THREAD,
                (from, to) -> Kernels.centreAndScale(xd, x.offset() + from * d, to - from, d, cfg.eps(), cd, from * d, sd0, from));
        Tensor firedScale = h.fire(scaleId, scale);
        float[] sd = firedScale.data();
        Parallel.forRows(rows, LayerMath.MIN_ROWS_PER_THREAD, (from, to) -> {
            for (int r = from; r < to; r++) Kernels.divide(cd, r * d, d, sd[firedScale.offset() + r]);
        });
        Tensor normalized = h.fire(normId, centred);
        if (lnW == null) return normalized;
        Tensor out = Tensor.zeros(batch, pos, d);
        LayerMath.affine(normalized.data(), normalized.offset(), rows, d, lnW, lnB, out.data(), 0);
        return out;
    }
}
