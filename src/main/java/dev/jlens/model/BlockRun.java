package dev.jlens.model;

import dev.jlens.hooks.HookedRun;
import dev.jlens.tensor.IntTensor;

/**
 * What one run of a block needs besides its input rows: their layout, the keys and values of earlier
 * positions (null: the segments start at position 0), the attention mask of a padded batch (null: none), the
 * run's hooks, where intermediate arrays come from, and the tape a gradient run keeps (null: none). Hooks fire only on a rectangle of rows.
 */
record BlockRun(RowLayout rows, PastKeyValues past, IntTensor attentionMask, HookedRun hooks, Buffers buffers, Tape tape) {
    BlockRun {
        if (hooks == null) throw new IllegalArgumentException("hooks: use HookedRun.none");
    }

    /** A run that keeps nothing for a backward pass. */
    BlockRun(RowLayout rows, PastKeyValues past, IntTensor attentionMask, HookedRun hooks, Buffers buffers) {
        this(rows, past, attentionMask, hooks, buffers, null);
    }

    /** This layer's share of the tape, or null when no gradient is asked for. */
    Tape.Block tape(int layer) {
        return tape == null ? null : tape.blocks[layer];
    }

    /** The shape of an activation over the output rows: [batch, pos, tail...] for a rectangle, else [1, rows, tail...]. */
    int[] shape(int rowCount, int... tail) {
        int[] lead = rowCount == rows.rows() ? rows.leading() : new int[] {1, rowCount};
        int[] shape = new int[2 + tail.length];
        shape[0] = lead[0];
        shape[1] = lead[1];
        System.arraycopy(tail, 0, shape, 2, tail.length);
        return shape;
    }
}
