package dev.jlens.model;


/** config.json rules architectures share: a norm's epsilon and an activation's name. */
public final class ConfigRules {
    private ConfigRules() {}

    /** A norm epsilon in (0, 1) that does not round to 0 as a float32. */
    public static double epsilon(ConfigFields c, String field, double fallback) {
        double eps = c.number(field, fallback);
        if (!(eps > 0 && eps < 1 && (float) eps > 0)) throw c.error(field + " " + eps + " must be in (0, 1) and not round to 0 as a float32");
        return eps;
    }

    /** The activation a config field names, by TransformerLens' names. */
    public static ActivationFunction activation(ConfigFields c, String field, String fallback) {
        String name = c.string(field, fallback);
        ActivationFunction f = ActivationFunction.named(name);
        if (f == null) throw c.error(field + " " + c.shortJson(field) + " is not an activation jlens computes (gelu, gelu_new, gelu_fast, gelu_pytorch_tanh, silu, relu)");
        return f;
    }
}
