package dev.jlens.model;

/** TransformerLens' {@code act_fn}, by its names. */
public enum ActivationFunction {
    GELU_NEW("gelu_new"), GELU("gelu"), GELU_FAST("gelu_fast"), GELU_PYTORCH_TANH("gelu_pytorch_tanh"), SILU("silu"), RELU("relu");

    private final String tlName;

    ActivationFunction(String tlName) {
        this.tlName = tlName;
    }

    /** The activation TransformerLens names {@code name}, or null when it has none of these names. */
    public static ActivationFunction named(String name) {
        for (ActivationFunction f : values()) if (f.tlName.equals(name)) return f;
        return null;
    }

    @Override
    public String toString() {
        return tlName;
    }
}
