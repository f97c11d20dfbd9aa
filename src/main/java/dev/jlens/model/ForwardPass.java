package dev.jlens.model;

import dev.jlens.JlensException;
import dev.jlens.hooks.HookPoints;
import dev.jlens.hooks.HookPoints.Global;
import dev.jlens.hooks.HookedRun;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;

/**
 * GPT-2's forward pass as TransformerLens computes it (spec section 4), firing every hook point in
 * TransformerLens' order: embeddings, the {@link TransformerBlock}s on a rectangle of [batch, pos] rows, the
 * final layer norm and the unembedding. A hook point with nothing attached costs one array read.
 */
final class ForwardPass {
    private final ModelConfig cfg;
    private final ModelWeights w;
    private final TransformerBlock[] blocks;
    private final LayerNorm lnFinal;
    private final HookedRun noHooks;

    ForwardPass(ModelConfig cfg, ModelWeights w, HookPoints points) {
        cfg.unsupportedPart().ifPresent(part -> {
            throw new JlensException(cfg.modelName() + ": jlens does not compute " + part + " yet");
        });
        this.cfg = cfg;
        this.w = w;
        this.blocks = new TransformerBlock[cfg.nLayers()];
        for (int l = 0; l < blocks.length; l++) blocks[l] = new TransformerBlock(cfg, w.layers[l], l, points);
        this.lnFinal = new LayerNorm(cfg, w.lnfW, w.lnfB, HookPoints.id(Global.LN_FINAL_SCALE), HookPoints.id(Global.LN_FINAL_NORMALIZED),
                Buffers.Slot.NORMALIZED, Buffers.Slot.SCALE);
        this.noHooks = HookedRun.none(points);
    }

    TransformerBlock block(int layer) {
        return blocks[layer];
    }

    /** ln_final on each [..., d_model] vector with its own statistics (and its w, b when not folded); no hooks. */
    Tensor applyLnFinal(Tensor residual) {
        return lnFinal.apply(residual, noHooks, Buffers.FRESH);
    }

    /** The unembedding [..., d_vocab] of final-normalized rows [..., d_model] (what unembed.hook_out sees), no hooks. */
    Tensor unembed(Tensor normalized) {
        return TransformerBlock.linear(normalized, w.wU, w.bU, Buffers.Slot.MLP_OUT, Buffers.FRESH);
    }

    /** Logits [..., d_vocab] of final-normalized rows: the unembedding, soft-capped when the model caps its logits. */
    Tensor logits(Tensor normalized) {
        return softCapLogits(unembed(normalized));
    }

    /** TransformerLens' output_logits_soft_cap, {@code cap * tanh(logits / cap)}, in place; a no-op without a cap. */
    private Tensor softCapLogits(Tensor logits) {
        float cap = cfg.variant().outputLogitsSoftCap();
        if (cap <= 0) return logits;
        float[] d = logits.data();
        for (int i = logits.offset(), end = i + logits.size(); i < end; i++) d[i] = cap * (float) Math.tanh(d[i] / cap);
        return logits;
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
     * @param tape          where to keep what {@link #backward} needs, or null (no gradient asked for)
     */
    record Request(IntTensor tokens, Tensor residual, int startLayer, int stopLayer, boolean unembed,
                   IntTensor attentionMask, KvCache kv, HookedRun hooks, boolean lastLogitsOnly, Tape tape) {}

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
        Tape tape = r.tape();
        BlockRun run = new BlockRun(RowLayout.rectangle(batch, pos, past), r.kv(), r.attentionMask(), h, Buffers.FRESH, tape);
        if (tape != null) {
            tape.run = run;
            tape.startLayer = r.startLayer();
            tape.stopLayer = r.stopLayer();
        }
        for (int l = r.startLayer(); l < r.stopLayer(); l++) resid = blocks[l].forward(resid, run);
        if (r.kv() != null) r.kv().advance(pos);
        if (r.stopLayer() < cfg.nLayers()) return new Result(null, resid);

        Tensor normalized = lnFinal.apply(resid, h, Buffers.FRESH, tape == null ? null : tape.lnFinal);
        if (!r.unembed()) return new Result(null, resid);
        if (r.lastLogitsOnly() && pos > 1) {
            normalized = normalized.get(":", dev.jlens.tensor.Index.range(pos - 1, pos), ":");
            pos = 1;
        }
        normalized = h.fire(HookPoints.id(Global.UNEMBED_IN), normalized);
        Tensor logits = h.fire(HookPoints.id(Global.UNEMBED_OUT), unembed(normalized));
        // after the hook, on a copy: a hook may have kept unembed.hook_out
        if (cfg.variant().outputLogitsSoftCap() > 0) {
            logits = softCapLogits(logits.copy());
            if (tape != null) tape.cappedLogits = logits;
        }
        return new Result(logits, resid);
    }

    /**
     * A tape for a gradient run of this model, after checking that the backward computes every part the run
     * will use (the per-head input and result switches are not differentiated yet).
     */
    Tape tape() {
        if (cfg.useSplitQkvInput() || cfg.useAttnIn() || cfg.useAttnResult()) {
            throw new JlensException("gradients are not computed yet with use_split_qkv_input, use_attn_in or use_attn_result on");
        }
        return new Tape(cfg.nLayers());
    }

    /**
     * The backward pass of a run made with {@code tape}: from the gradient of a metric with respect to the
     * logits [batch, pos, d_vocab] back to the embeddings, firing every backward hook in reverse order.
     * Returns the gradient with respect to the residual stream entering the first block run.
     */
    Tensor backward(Tape tape, Tensor gLogits) {
        HookedRun h = tape.run.hooks();
        if (tape.cappedLogits != null) gLogits = softCapBackward(gLogits, tape.cappedLogits);
        Tensor g = h.fireBackward(HookPoints.id(Global.UNEMBED_OUT), gLogits);
        g = h.fireBackward(HookPoints.id(Global.UNEMBED_IN), unembedBackward(g));
        g = lnFinal.backward(g, tape.lnFinal[0], h);
        for (int l = tape.stopLayer - 1; l >= tape.startLayer; l--) g = blocks[l].backward(g, tape.run);
        if (tape.startLayer == 0) {
            h.fireBackward(HookPoints.id(Global.POS_EMBED), g);
            h.fireBackward(HookPoints.id(Global.EMBED), g);
        }
        return g;
    }

    /** The gradient of the uncapped logits from that of the capped ones: {@code * (1 - (capped / cap)^2)}. */
    private Tensor softCapBackward(Tensor gCapped, Tensor capped) {
        float cap = cfg.variant().outputLogitsSoftCap();
        float[] g = gCapped.toArray(), c = capped.toArray();
        for (int i = 0; i < g.length; i++) {
            if (g[i] == 0f) continue;
            double th = c[i] / cap;
            g[i] *= (float) (1 - th * th);
        }
        return Tensor.of(g, gCapped.shape());
    }

    /** The gradient of unembed's input from that of the logits, for the rows with a nonzero gradient only (a metric often reads one position). */
    private Tensor unembedBackward(Tensor gLogits) {
        int vocab = cfg.dVocab(), d = cfg.dModel(), rows = gLogits.size() / vocab;
        float[] g = gLogits.offset() == 0 ? gLogits.data() : gLogits.toArray();
        int[] live = new int[rows];
        int n = 0;
        for (int r = 0; r < rows; r++) {
            for (int j = r * vocab, end = j + vocab; j < end; j++) {
                if (g[j] != 0f) {
                    live[n++] = r;
                    break;
                }
            }
        }
        float[] compact = new float[n * vocab], product = new float[n * d], out = new float[rows * d];
        for (int i = 0; i < n; i++) System.arraycopy(g, live[i] * vocab, compact, i * vocab, vocab);
        w.wU.multiplyTransposed(compact, 0, n, product, 0);
        for (int i = 0; i < n; i++) System.arraycopy(product, i * d, out, live[i] * d, d);
        int[] shape = gLogits.shape().clone();
        shape[shape.length - 1] = d;
        return Tensor.of(out, shape);
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
                if (posIds[p] >= 0 && w.wPos != null) w.wPos.copyRow(posIds[p], posEmbed.data(), row);
            }
        }
        embed = h.fire(HookPoints.id(Global.EMBED), embed);
        if (w.wPos == null) return embed;  // rotary: positions enter through the queries and keys
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
}
