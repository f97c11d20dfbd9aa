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

    /** Logits [..., d_vocab] of final-normalized rows [..., d_model], no hooks. */
    Tensor unembed(Tensor normalized) {
        return TransformerBlock.linear(normalized, w.wU, w.bU, Buffers.Slot.MLP_OUT, Buffers.FRESH);
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
        BlockRun run = new BlockRun(RowLayout.rectangle(batch, pos, past), r.kv(), r.attentionMask(), h, Buffers.FRESH);
        for (int l = r.startLayer(); l < r.stopLayer(); l++) resid = blocks[l].forward(resid, run);
        if (r.kv() != null) r.kv().advance(pos);
        if (r.stopLayer() < cfg.nLayers()) return new Result(null, resid);

        Tensor normalized = lnFinal.apply(resid, h, Buffers.FRESH);
        if (!r.unembed()) return new Result(null, resid);
        if (r.lastLogitsOnly() && pos > 1) {
            normalized = normalized.get(":", dev.jlens.tensor.Index.range(pos - 1, pos), ":");
            pos = 1;
        }
        normalized = h.fire(HookPoints.id(Global.UNEMBED_IN), normalized);
        Tensor logits = h.fire(HookPoints.id(Global.UNEMBED_OUT), unembed(normalized));
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
}
