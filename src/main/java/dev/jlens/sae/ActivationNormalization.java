package dev.jlens.sae;

/**
 * What an SAE does to its input before encoding and undoes after decoding: SAELens' {@code normalize_activations}.
 * {@code expected_average_only_in} does nothing when the SAE runs (SAELens folds the release's scaling factor into
 * the weights when it loads a release, and only then).
 */
public enum ActivationNormalization {
    NONE("none"),
    EXPECTED_AVERAGE_ONLY_IN("expected_average_only_in"),
    /** Each position scaled to norm sqrt(d_in); the reconstruction scaled back. */
    CONSTANT_NORM_RESCALE("constant_norm_rescale"),
    /** Each position centered and divided by (standard deviation with n - 1) + 1e-5; the reconstruction times it plus the mean (no eps). */
    LAYER_NORM("layer_norm");

    public final String configName;

    ActivationNormalization(String configName) {
        this.configName = configName;
    }

    public static ActivationNormalization of(String configName) {
        for (ActivationNormalization n : values()) if (n.configName.equals(configName)) return n;
        return null;
    }
}
