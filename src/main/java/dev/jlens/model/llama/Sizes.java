package dev.jlens.model.llama;

import dev.jlens.model.ConfigFields;
import dev.jlens.model.ConfigRules;
import dev.jlens.model.ModelConfig;

/** The sizes a Llama-style config.json gives (Gemma's too), checked against each other. */
public record Sizes(int dModel, int nHeads, int nKeyValueHeads, int dHead, int dMlp, int nLayers, int nCtx, int vocab, double eps) {
    /** Reads them with {@code dHead} as the architecture derives it. */
    public static Sizes read(ConfigFields c, int dHead) {
        int dModel = c.positiveInt("hidden_size", ModelConfig.MAX_D_MODEL);
        int nHeads = c.positiveInt("num_attention_heads", ModelConfig.MAX_HEADS);
        int kv = c.has("num_key_value_heads") ? c.positiveInt("num_key_value_heads", ModelConfig.MAX_HEADS) : nHeads;
        if (nHeads % kv != 0) throw c.error("num_attention_heads " + nHeads + " is not a multiple of num_key_value_heads " + kv);
        if (dHead <= 0) throw c.error("the head size must be positive");
        int dMlp = c.positiveInt("intermediate_size", 8 * ModelConfig.MAX_D_MODEL);
        int nLayers = c.positiveInt("num_hidden_layers", ModelConfig.MAX_LAYERS);
        int nCtx = c.positiveInt("max_position_embeddings", ModelConfig.MAX_CTX);
        int vocab = c.positiveInt("vocab_size", ModelConfig.MAX_VOCAB);
        double eps = ConfigRules.epsilon(c, "rms_norm_eps", 1e-6);
        c.requireArraySize("vocab_size x hidden_size (the token embedding)", (long) vocab * dModel);
        c.requireArraySize("hidden_size x intermediate_size (an MLP weight)", (long) dModel * dMlp);
        c.requireArraySize("hidden_size x heads x head size (the query weight)", (long) dModel * nHeads * dHead);
        return new Sizes(dModel, nHeads, kv, dHead, dMlp, nLayers, nCtx, vocab, eps);
    }
}
