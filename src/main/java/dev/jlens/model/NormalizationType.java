package dev.jlens.model;

/** TransformerLens' {@code normalization_type}: LayerNorm or RMSNorm, with its weights, or folded into the next weights ("Pre"). */
public enum NormalizationType {
    LN("LN"), LN_PRE("LNPre"), RMS("RMS"), RMS_PRE("RMSPre");

    private final String tlName;

    NormalizationType(String tlName) {
        this.tlName = tlName;
    }

    /** The folded form: what from_pretrained's fold_ln leaves. */
    public NormalizationType folded() {
        return switch (this) {
            case LN, LN_PRE -> LN_PRE;
            case RMS, RMS_PRE -> RMS_PRE;
        };
    }

    /** TransformerLens' spelling: {@code LN}, {@code LNPre}, {@code RMS}, {@code RMSPre}. */
    @Override
    public String toString() {
        return tlName;
    }
}
