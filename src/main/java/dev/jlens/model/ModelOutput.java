package dev.jlens.model;

import dev.jlens.tensor.Tensor;

/**
 * What a forward pass returned: logits [batch, pos, d_vocab] and/or the loss (a scalar, or [batch, pos-1]
 * per token), or, when it stopped early, the residual stream [batch, pos, d_model]. Absent parts are null.
 */
public record ModelOutput(Tensor logits, Tensor loss, Tensor residual) {}
