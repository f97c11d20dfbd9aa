package dev.jlens.model;

import dev.jlens.tensor.Tensor;

/**
 * What a gradient run returned: the forward pass' logits [batch, pos, d_vocab], the metric's value, and the
 * metric's gradient with respect to the residual stream entering the first block run [batch, pos, d_model]
 * (at layer 0: hook_embed + hook_pos_embed). Gradients at hook points are read with backward hooks or
 * {@code runWithCache} with {@link CacheOptions#withInclBwd}.
 */
public record GradientRun(Tensor logits, double metric, Tensor inputGradient) {}
