package dev.jlens.cache;

import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;

/**
 * What the cache's analyses need from the model that produced it: its sizes, the weights that turn cached
 * activations into residual-stream contributions, its biases, and its final layer norm.
 * {@code HookedTransformer} implements it; the cache package does not depend on the model package.
 */
public interface CacheModel {
    int nLayers();

    int nHeads();

    int dModel();

    int dMlp();

    /** W_O of one layer, [n_heads, d_head, d_model]. */
    Tensor headOutputWeights(int layer);

    /** W_out of one layer, [d_mlp, d_model]. */
    Tensor mlpOutputWeights(int layer);

    /** Sum of the attention (and, if asked, MLP) output biases of layers before {@code layer} [d_model]. */
    Tensor accumulatedBias(int layer, boolean mlpInput, boolean includeMlpBiases);

    /** ln_final applied to each [..., d_model] vector with its own statistics. */
    Tensor applyLnFinal(Tensor residual);

    /** Whether its norms center their input (LayerNorm) or only scale it (RMSNorm). */
    default boolean normsCenter() {
        return true;
    }

    /** Unembedding columns of tokens: [..., d_model] (one token: [d_model]). */
    Tensor tokensToResidualDirections(IntTensor tokens);

    int toSingleToken(String text);
}
