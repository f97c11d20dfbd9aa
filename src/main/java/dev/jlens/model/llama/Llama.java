package dev.jlens.model.llama;

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
 * The Llama family: config.json read by TransformerLens' rules (d_head = hidden_size / heads, RMSNorm,
 * rotary on the whole head with NeoX's pairing, grouped-query attention when there are fewer key/value
 * heads, a gated MLP, BOS prepended). The rotary base is {@code rope_theta} and {@code rope_scaling} picks
 * TransformerLens' variant: {@code llama3} (NTK-by-parts), {@code yarn} or {@code linear}.
 */
public final class Llama implements Architecture {
    @Override
    public String displayName() {
        return "Llama";
    }

    @Override
    public List<String> modelTypes() {
        return List.of("llama");
    }

    @Override
    public String name() {
        return "LlamaForCausalLM";
    }

    @Override
    public ModelConfig config(ConfigFields c, String modelName, boolean foldLn) {
        Sizes s = Sizes.read(c, c.positiveInt("hidden_size", ModelConfig.MAX_D_MODEL) / c.positiveInt("num_attention_heads", ModelConfig.MAX_HEADS));
        ActivationFunction act = ConfigRules.activation(c, "hidden_act", "silu");
        ModelConfig.Variant variant = new ModelConfig.Variant(s.dHead(), c.number("rope_theta", 10000), false, ropeScaling(c), 0f, 0f, false, 0, java.util.Set.of());
        NormalizationType norm = foldLn ? NormalizationType.RMS_PRE : NormalizationType.RMS;
        return new ModelConfig(modelName, name(), s.dModel(), s.nHeads(), s.dHead(), s.nKeyValueHeads(), s.dMlp(), s.nLayers(), s.nCtx(), s.vocab(), s.vocab(),
                (float) s.eps(), act, norm, PositionalEmbeddingType.ROTARY, true, false, (float) Math.sqrt(s.dHead()), true, HookFlags.NONE, variant);
    }

    /** {@code rope_scaling} as TransformerLens' variants; a kind it does not compute is refused. */
    static ModelConfig.RopeScaling ropeScaling(ConfigFields c) {
        ConfigFields r = c.object("rope_scaling");
        if (r == null) return ModelConfig.RopeScaling.NONE;
        String type = r.string("rope_type", r.string("type", "default"));
        ModelConfig.RopeScaling d = ModelConfig.RopeScaling.NONE;
        return switch (type) {
            case "default" -> d;
            case "linear" -> new ModelConfig.RopeScaling(ModelConfig.RopeScaling.Kind.LINEAR, r.number("factor", 1), 1, 4, 8192, 32, 1, 1);
            case "llama3" -> new ModelConfig.RopeScaling(ModelConfig.RopeScaling.Kind.NTK_BY_PARTS, r.number("factor", 1),
                    r.number("low_freq_factor", 1), r.number("high_freq_factor", 4),
                    r.number("original_max_position_embeddings", c.number("max_position_embeddings", 8192)), 32, 1, 1);
            case "yarn" -> new ModelConfig.RopeScaling(ModelConfig.RopeScaling.Kind.YARN, r.number("factor", 8), 1, 4,
                    r.number("original_max_position_embeddings", 4096), r.number("beta_fast", 32), r.number("beta_slow", 1), r.number("attention_factor", 1));
            default -> throw c.error("rope_scaling type \"" + type + "\" is not supported (jlens computes llama3, yarn and linear, as TransformerLens)");
        };
    }

    @Override
    public CheckpointReader reader(Checkpoint checkpoint, ModelConfig cfg) {
        return new LlamaCheckpointReader(checkpoint, cfg, false);
    }
}
