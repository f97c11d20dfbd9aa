package dev.jlens.model;

import dev.jlens.tensor.Tensor;

/**
 * What a forward pass keeps for the backward pass when gradients are asked for, and only then: per block the
 * inputs of its layer norms' backward, the query, key and value rows, hook_pre (gelu_new's input) and, when
 * hooks made the attention pattern a tensor, the pattern before and after its hook; per run the final norm's.
 * The pattern is otherwise recomputed from q and k per (sequence, head) in the backward, so a gradient run
 * holds no [pos, pos] array per layer.
 */
final class Tape {
    /** One block's share. */
    static final class Block {
        LayerNorm.Saved[] ln1 = new LayerNorm.Saved[1], ln2 = new LayerNorm.Saved[1];
        LayerNorm.Saved[] ln1Post = new LayerNorm.Saved[1], ln2Post = new LayerNorm.Saved[1];  // Gemma 2's norms after attention and MLP
        Attention.Rows q, k, v;
        /** [batch, head, query, key] softmax of the (hooked) scores, and the pattern used after its hook; or null. */
        float[] pattern0, pattern;
        int patternOff;
        /** hook_pre as fired: gelu_new's input. */
        Tensor pre;
        Tensor preLinear;  // a gated MLP's hook_pre_linear
    }

    final Block[] blocks;
    final LayerNorm.Saved[] lnFinal = new LayerNorm.Saved[1];
    /** The soft-capped logits, when the model caps them (the cap's derivative is read from them). */
    Tensor cappedLogits;
    /** The run the blocks ran in (layout, mask, hooks). */
    BlockRun run;
    int startLayer, stopLayer;

    Tape(int nLayers) {
        blocks = new Block[nLayers];
        for (int l = 0; l < nLayers; l++) blocks[l] = new Block();
    }
}
