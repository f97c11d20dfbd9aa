package dev.jlens.model.gemma2;

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
import dev.jlens.model.llama.LlamaCheckpointReader;
import dev.jlens.model.llama.Sizes;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Gemma 2: TransformerLens' config for it (which it keeps per official name) derived from config.json: the
 * head size {@code head_dim}, attention scale sqrt({@code query_pre_attn_scalar}), attention and final-logit
 * soft caps, RMSNorm before and after each sub-block, layers alternating global and local attention (global
 * first, as TransformerLens' {@code attn_types}) with {@code sliding_window}, a gated gelu_pytorch_tanh MLP, the
 * embedding scaled by sqrt(d_model) and tied to the unembedding by default.
 */
public final class Gemma2 implements Architecture {
    @Override
    public String displayName() {
        return "Gemma 2";
    }

    @Override
    public List<String> modelTypes() {
        return List.of("gemma2");
    }

    @Override
    public String name() {
        return "Gemma2ForCausalLM";
    }

    @Override
    public ModelConfig config(ConfigFields c, String modelName, boolean foldLn) {
        int dHead = c.has("head_dim") ? c.positiveInt("head_dim", ModelConfig.MAX_D_MODEL)
                : c.positiveInt("hidden_size", ModelConfig.MAX_D_MODEL) / c.positiveInt("num_attention_heads", ModelConfig.MAX_HEADS);
        Sizes s = Sizes.read(c, dHead);
        ActivationFunction act = ConfigRules.activation(c, c.has("hidden_activation") ? "hidden_activation" : "hidden_act", "gelu_pytorch_tanh");
        double scalar = c.number("query_pre_attn_scalar", dHead);
        if (!(scalar > 0)) throw c.error("query_pre_attn_scalar " + scalar + " must be positive");
        int window = c.positiveInt("sliding_window", ModelConfig.MAX_CTX);
        Set<Integer> local = new HashSet<>();
        for (int l = 1; l < s.nLayers(); l += 2) local.add(l);
        ModelConfig.Variant variant = new ModelConfig.Variant(dHead, c.number("rope_theta", 10000), false, ModelConfig.RopeScaling.NONE,
                (float) c.number("attn_logit_softcapping", 0), (float) c.number("final_logit_softcapping", 0), true, window, Set.copyOf(local));
        NormalizationType norm = foldLn ? NormalizationType.RMS_PRE : NormalizationType.RMS;
        return new ModelConfig(modelName, name(), s.dModel(), s.nHeads(), dHead, s.nKeyValueHeads(), s.dMlp(), s.nLayers(), s.nCtx(), s.vocab(), s.vocab(),
                (float) s.eps(), act, norm, PositionalEmbeddingType.ROTARY, true, false, (float) Math.sqrt(scalar), true, HookFlags.NONE, variant);
    }

    @Override
    public CheckpointReader reader(Checkpoint checkpoint, ModelConfig cfg) {
        return new LlamaCheckpointReader(checkpoint, cfg, true);
    }
}
