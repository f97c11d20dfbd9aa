package dev.jlens.model;

import dev.jlens.tensor.Tensor;

/**
 * A model's weights while they are being loaded and processed (what a {@link CheckpointReader} fills in), as plain matrices in the layout the kernels
 * read (inputs along rows): query/key/value weights are [d_model, n_heads*d_head] with column
 * {@code h*d_head + e} holding TransformerLens' {@code W_Q[h, :, e]}, and the output weight is
 * [n_heads*d_head, d_model] with row {@code h*d_head + e} holding {@code W_O[h, e, :]}. Every
 * TransformerLens processing rule is per column or per row of these, so it applies here unchanged.
 */
public final class ModelParams {
    public Tensor wE;      // [d_vocab, d_model]
    public Tensor wPos;    // [n_ctx, d_model]; null with rotary embeddings
    public Tensor wUT;     // the unembedding transposed, [d_vocab_out, d_model]: TransformerLens' W_U^T, in wte's layout
    public Tensor bU;      // [d_vocab_out]
    public Tensor lnfW, lnfB;  // lnfB null for RMSNorm

    /**
     * One block's parameters; the layer-norm ones are null once folded (the biases always with RMSNorm), the
     * optional members null when the architecture has no such part.
     */
    public static final class Block {
        public Tensor ln1w, ln1b, ln2w, ln2b;
        public Tensor wQKV;            // [d_model, (n_heads + 2*n_key_value_heads)*d_head]: query, key and value columns side by side (HF's c_attn)
        public Tensor bQKV;            // [(n_heads + 2*n_key_value_heads)*d_head]
        public Tensor wGate;           // [d_model, d_mlp], gated MLPs only (TransformerLens' W_gate)
        public Tensor ln1PostW, ln2PostW;  // [d_model], norms after attention and MLP (use_normalization_before_and_after) only
        public Tensor wO;              // [n_heads*d_head, d_model]
        public Tensor bO;              // [d_model]
        public Tensor wIn;             // [d_model, d_mlp]
        public Tensor bIn;             // [d_mlp]
        public Tensor wOut;            // [d_mlp, d_model]
        public Tensor bOut;            // [d_model]

        /** The value bias, a view of the last {@code kvWidth} entries of bQKV. */
        Tensor bV(int kvWidth) {
            return Tensor.wrap(bQKV.data(), bQKV.offset() + bQKV.size() - kvWidth, kvWidth);
        }
    }
}
