package dev.jlens.analysis;

import dev.jlens.tensor.Tensor;

/**
 * A patching sweep's metric: one number from the logits [batch, pos, d_vocab] of a patched run
 * (TransformerLens' {@code patching_metric}).
 */
@FunctionalInterface
public interface PatchingMetric {
    float apply(Tensor logits);

    /**
     * True when the metric reads only the last position's logits; a sweep may then compute only those.
     * The default, false, is always safe.
     */
    default boolean readsFinalPositionOnly() {
        return false;
    }
}
