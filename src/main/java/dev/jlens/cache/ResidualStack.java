package dev.jlens.cache;

import dev.jlens.tensor.Tensor;

import java.util.List;

/**
 * A stack of residual-stream components [n_components, ...batch/pos, d_model] and their labels
 * ({@code "0_pre"}, {@code "3_attn_out"}, {@code "L2H5"}, ...): what TransformerLens returns with
 * {@code return_labels=True}.
 */
public record ResidualStack(Tensor stack, List<String> labels) {
    public ResidualStack {
        labels = List.copyOf(labels);
        if (stack.shape(0) != labels.size()) {
            throw new IllegalArgumentException(labels.size() + " labels for " + stack.shape(0) + " components");
        }
    }

    public int size() {
        return labels.size();
    }
}
