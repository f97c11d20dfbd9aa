package dev.jlens.model;

/** TransformerLens' {@code positional_embedding_type}: a learned table added to the embedding, or rotary (applied to q and k). */
public enum PositionalEmbeddingType {
    STANDARD("standard"), ROTARY("rotary");

    private final String tlName;

    PositionalEmbeddingType(String tlName) {
        this.tlName = tlName;
    }

    @Override
    public String toString() {
        return tlName;
    }
}
