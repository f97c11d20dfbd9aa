package dev.jlens.model;

import dev.jlens.tensor.Tensor;

/**
 * GPT-2 weights while they are being loaded and processed, as plain matrices in the layout the kernels
 * read (inputs along rows): query/key/value weights are [d_model, n_heads*d_head] with column
 * {@code h*d_head + e} holding TransformerLens' {@code W_Q[h, :, e]}, and the output weight is
 * [n_heads*d_head, d_model] with row {@code h*d_head + e} holding {@code W_O[h, e, :]}. Every
 * TransformerLens processing rule is per column or per row of these, so it applies here unchanged.
 */
final class ModelParams {
    Tensor wE;      // [d_vocab, d_model]
    Tensor wPos;    // [n_ctx, d_model]
    Tensor wUT;     // the unembedding transposed, [d_vocab_out, d_model]: TransformerLens' W_U^T, in wte's layout
    Tensor bU;      // [d_vocab_out]
    Tensor lnfW, lnfB;

    /** One block's parameters; the layer-norm ones are null once folded. */
    static final class Block {
        Tensor ln1w, ln1b, ln2w, ln2b;
        Tensor wQKV;            // [d_model, 3*n_heads*d_head]: query, key and value columns side by side (HF's c_attn)
        Tensor bQKV;            // [3*n_heads*d_head]
        Tensor wO;              // [n_heads*d_head, d_model]
        Tensor bO;              // [d_model]
        Tensor wIn;             // [d_model, d_mlp]
        Tensor bIn;             // [d_mlp]
        Tensor wOut;            // [d_mlp, d_model]
        Tensor bOut;            // [d_model]

        /** The value bias, a view of the last third of bQKV. */
        Tensor bV() {
            int he = bQKV.size() / 3;
            return Tensor.wrap(bQKV.data(), bQKV.offset() + 2 * he, he);
        }
    }
}
