package dev.jlens.sae;

/** How an SAE turns pre-activations into feature activations: SAELens' {@code architecture} field. */
public enum SaeArchitecture {
    /** ReLU. */
    STANDARD("standard"),
    /** A gate path (sign of {@code s W_enc + b_gate}) times a magnitude path sharing W_enc, scaled by {@code exp(r_mag)}. */
    GATED("gated"),
    /** ReLU of the pre-activations strictly above each feature's threshold, else 0. */
    JUMPRELU("jumprelu"),
    /** The k largest pre-activations per position, ReLU'd; the rest 0. */
    TOPK("topk");

    /** The name in cfg.json. */
    public final String configName;

    SaeArchitecture(String configName) {
        this.configName = configName;
    }

    /** The architecture of a cfg.json name, or null when jlens has none by that name. */
    public static SaeArchitecture of(String configName) {
        for (SaeArchitecture a : values()) if (a.configName.equals(configName)) return a;
        return null;
    }
}
