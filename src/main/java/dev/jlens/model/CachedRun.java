package dev.jlens.model;

import dev.jlens.cache.ActivationCache;
import dev.jlens.tensor.Tensor;

/** {@code run_with_cache}'s pair: the forward's output and the activation cache. */
public record CachedRun(ModelOutput output, ActivationCache cache) {
    public Tensor logits() {
        return output.logits();
    }
}
