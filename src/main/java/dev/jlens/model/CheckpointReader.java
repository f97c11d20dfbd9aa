package dev.jlens.model;

/**
 * Reads one architecture's checkpoint into {@link ModelParams}, in parts that load in parallel and one block
 * at a time (so the peak memory is the packed model plus a block).
 */
public interface CheckpointReader {
    /** {@code W_E} and, with standard positional embeddings, {@code W_pos}. */
    void readEmbeddings(ModelParams p);

    /** {@code W_U} (transposed), {@code b_U} and the final norm's weights. */
    void readUnembed(ModelParams p);

    ModelParams.Block readBlock(int layer);
}
