package dev.jlens.model.neox;

import dev.jlens.hooks.HookFlags;
import dev.jlens.io.Checkpoint;
import dev.jlens.model.ActivationFunction;
import dev.jlens.model.Architecture;
import dev.jlens.model.CheckpointReader;
import dev.jlens.model.ConfigFields;
import dev.jlens.model.ConfigRules;
import dev.jlens.model.ModelConfig;
import dev.jlens.model.NormalizationType;
import dev.jlens.model.PositionalEmbeddingType;

import java.util.List;

/**
 * GPT-NeoX (Pythia): config.json read by TransformerLens' rules (d_head = hidden_size / heads, rotary on
 * {@code round(rotary_pct * d_head)} dimensions of each head with NeoX's pairing, LayerNorm, attention and
 * MLP in parallel, no BOS prepended by default, an untied unembedding). The rotary base is the config's
 * {@code rotary_emb_base} (TransformerLens keeps 10000, which every Pythia uses), and {@code use_parallel_residual}
 * is read rather than assumed.
 */
public final class GptNeoX implements Architecture {
    @Override
    public String displayName() {
        return "GPT-NeoX";
    }

    @Override
    public List<String> modelTypes() {
        return List.of("gpt_neox");
    }

    @Override
    public String name() {
        return "GPTNeoXForCausalLM";
    }

    @Override
    public ModelConfig config(ConfigFields c, String modelName, boolean foldLn) {
        int dModel = c.positiveInt("hidden_size", ModelConfig.MAX_D_MODEL);
        int nHeads = c.positiveInt("num_attention_heads", ModelConfig.MAX_HEADS);
        int nLayers = c.positiveInt("num_hidden_layers", ModelConfig.MAX_LAYERS);
        int dMlp = c.positiveInt("intermediate_size", 4 * ModelConfig.MAX_D_MODEL);
        int nCtx = c.positiveInt("max_position_embeddings", ModelConfig.MAX_CTX);
        int vocab = c.positiveInt("vocab_size", ModelConfig.MAX_VOCAB);
        if (dModel % nHeads != 0) throw c.error("hidden_size " + dModel + " is not divisible by num_attention_heads " + nHeads);
        int dHead = dModel / nHeads;
        double eps = ConfigRules.epsilon(c, "layer_norm_eps", 1e-5);
        ActivationFunction act = ConfigRules.activation(c, "hidden_act", "gelu");
        double pct = c.has("rotary_pct") ? c.number("rotary_pct", 1) : c.number("partial_rotary_factor", 1);
        if (!(pct > 0 && pct <= 1)) throw c.error("rotary_pct " + pct + " must be in (0, 1]");
        int rotaryDim = (int) Math.rint(pct * dHead);
        double base = c.has("rotary_emb_base") ? c.number("rotary_emb_base", 10000) : c.number("rope_theta", 10000);
        boolean parallel = c.bool("use_parallel_residual", true);
        if (c.bool("tie_word_embeddings", false)) throw c.error("tie_word_embeddings=true is not supported for GPT-NeoX (TransformerLens reads embed_out)");
        c.requireArraySize("vocab_size x hidden_size (the token embedding)", (long) vocab * dModel);
        c.requireArraySize("hidden_size x intermediate_size (an MLP weight)", (long) dModel * dMlp);
        NormalizationType norm = foldLn ? NormalizationType.LN_PRE : NormalizationType.LN;
        ModelConfig.Variant variant = new ModelConfig.Variant(rotaryDim, base, false, ModelConfig.RopeScaling.NONE, 0f, 0f, false, 0, java.util.Set.of());
        return new ModelConfig(modelName, name(), dModel, nHeads, dHead, nHeads, dMlp, nLayers, nCtx, vocab, vocab, (float) eps,
                act, norm, PositionalEmbeddingType.ROTARY, false, parallel, (float) Math.sqrt(dHead), false, HookFlags.NONE, variant);
    }

    @Override
    public CheckpointReader reader(Checkpoint checkpoint, ModelConfig cfg) {
        return new GptNeoXCheckpointReader(checkpoint, cfg);
    }
}
