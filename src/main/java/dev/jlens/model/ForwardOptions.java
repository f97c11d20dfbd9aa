package dev.jlens.model;

import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;

/**
 * The arguments of TransformerLens' {@code forward} beyond the input: return type, per-token loss,
 * start/stop layer, attention mask and KV cache. Immutable; change one field with the {@code with} methods.
 *
 * @param startAtLayer first block to run; with a value above 0, {@code residual} is that block's input
 * @param stopAtLayer  blocks before this one run and the residual stream is returned (Python slice
 *                     semantics, negatives allowed); null runs to the end
 * @param residual     [batch, pos, d_model] input when starting at a later layer
 * @param attentionMask [batch, past+pos] of 1 (attend) and 0 (padding); null means no mask, as
 *                     TransformerLens does for right-padded batches
 * @param kvCache      keys and values of earlier positions, extended by this run
 * @param lastLogitsOnly logits of the last position only, [batch, 1, d_vocab] (jlens' addition: a patching
 *                     metric that reads only those skips most of the unembedding; no loss then)
 */
public record ForwardOptions(ReturnType returnType, boolean lossPerToken, int startAtLayer, Integer stopAtLayer,
                             Tensor residual, IntTensor attentionMask, KvCache kvCache, boolean lastLogitsOnly) {
    public enum ReturnType { LOGITS, LOSS, BOTH, NONE }

    public static final ForwardOptions LOGITS = new ForwardOptions(ReturnType.LOGITS, false, 0, null, null, null, null, false);
    public static final ForwardOptions LOSS = LOGITS.withReturnType(ReturnType.LOSS);
    public static final ForwardOptions BOTH = LOGITS.withReturnType(ReturnType.BOTH);
    public static final ForwardOptions NONE = LOGITS.withReturnType(ReturnType.NONE);

    public ForwardOptions withReturnType(ReturnType t) {
        return new ForwardOptions(t, lossPerToken, startAtLayer, stopAtLayer, residual, attentionMask, kvCache, lastLogitsOnly);
    }

    public ForwardOptions withLossPerToken(boolean on) {
        return new ForwardOptions(returnType, on, startAtLayer, stopAtLayer, residual, attentionMask, kvCache, lastLogitsOnly);
    }

    /** Start at block {@code layer} with this residual stream [batch, pos, d_model] as its input. */
    public ForwardOptions startingAt(int layer, Tensor residualInput) {
        return new ForwardOptions(returnType, lossPerToken, layer, stopAtLayer, residualInput, attentionMask, kvCache, lastLogitsOnly);
    }

    public ForwardOptions stoppingAt(Integer layer) {
        return new ForwardOptions(returnType, lossPerToken, startAtLayer, layer, residual, attentionMask, kvCache, lastLogitsOnly);
    }

    public ForwardOptions withAttentionMask(IntTensor mask) {
        return new ForwardOptions(returnType, lossPerToken, startAtLayer, stopAtLayer, residual, mask, kvCache, lastLogitsOnly);
    }

    public ForwardOptions withLastLogitsOnly(boolean on) {
        return new ForwardOptions(returnType, lossPerToken, startAtLayer, stopAtLayer, residual, attentionMask, kvCache, on);
    }

    public ForwardOptions withKvCache(KvCache cache) {
        return new ForwardOptions(returnType, lossPerToken, startAtLayer, stopAtLayer, residual, attentionMask, cache, lastLogitsOnly);
    }
}
