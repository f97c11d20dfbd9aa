package dev.jlens.model.gpt2;

import dev.jlens.hooks.HookFlags;
import dev.jlens.io.Checkpoint;
import dev.jlens.model.ActivationFunction;
import dev.jlens.model.Architecture;
import dev.jlens.model.CheckpointReader;
import dev.jlens.model.ConfigFields;
import dev.jlens.model.ModelConfig;
import dev.jlens.model.NormalizationType;
import dev.jlens.model.PositionalEmbeddingType;

import java.util.List;

/**
 * GPT-2 (and its distillations): config.json read by TransformerLens' rules (d_head = n_embd / n_head,
 * d_mlp = 4 n_embd with {@code n_inner} ignored, attn_scale = sqrt(d_head), eps from layer_norm_epsilon),
 * LayerNorm, gelu_new, learned positions; the checkpoint by {@link Gpt2CheckpointReader}.
 */
public final class Gpt2 implements Architecture {
    @Override
    public String displayName() {
        return "GPT-2";
    }

    @Override
    public List<String> modelTypes() {
        return List.of("gpt2");
    }

    @Override
    public String name() {
        return "GPT2LMHeadModel";
    }

    @Override
    public ModelConfig config(ConfigFields c, String modelName, boolean foldLn) {
        int dModel = c.positiveInt("n_embd", ModelConfig.MAX_D_MODEL);
        int nHeads = c.positiveInt("n_head", ModelConfig.MAX_HEADS);
        int nLayers = c.positiveInt("n_layer", ModelConfig.MAX_LAYERS);
        int nCtx = c.has("n_ctx") ? c.positiveInt("n_ctx", ModelConfig.MAX_CTX) : c.positiveInt("n_positions", ModelConfig.MAX_CTX);
        int vocab = c.positiveInt("vocab_size", ModelConfig.MAX_VOCAB);
        if (dModel % nHeads != 0) throw c.error("n_embd " + dModel + " is not divisible by n_head " + nHeads);
        double eps = c.number("layer_norm_epsilon", 1e-5);
        if (!(eps > 0 && eps < 1 && (float) eps > 0)) {
            throw c.error("layer_norm_epsilon " + eps + " must be in (0, 1) and not round to 0 as a float32");
        }
        String act = c.string("activation_function", "gelu_new");
        if (!act.equals("gelu_new")) throw c.error("activation_function " + c.shortJson("activation_function") + " is not supported (GPT-2 uses gelu_new)");
        if (c.bool("scale_attn_by_inverse_layer_idx", false)) {
            throw c.error("scale_attn_by_inverse_layer_idx=true (Stanford CRFM GPT-2s) is not supported");
        }
        int dHead = dModel / nHeads;
        c.requireArraySize("vocab_size x n_embd (the token embedding)", (long) vocab * dModel);
        c.requireArraySize("n_ctx x n_embd (the position embedding)", (long) nCtx * dModel);
        c.requireArraySize("n_embd x 4 n_embd (an MLP weight)", (long) dModel * 4 * dModel);
        NormalizationType norm = foldLn ? NormalizationType.LN_PRE : NormalizationType.LN;
        return new ModelConfig(modelName, name(), dModel, nHeads, dHead, nHeads, 4 * dModel, nLayers, nCtx, vocab, vocab, (float) eps,
                ActivationFunction.GELU_NEW, norm, PositionalEmbeddingType.STANDARD, false, false, (float) Math.sqrt(dHead), true, HookFlags.NONE);
    }

    @Override
    public CheckpointReader reader(Checkpoint checkpoint, ModelConfig cfg) {
        return new Gpt2CheckpointReader(checkpoint, cfg);
    }
}
