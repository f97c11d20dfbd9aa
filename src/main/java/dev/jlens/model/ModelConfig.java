package dev.jlens.model;

import dev.jlens.JlensException;
import dev.jlens.hooks.HookFlags;
import dev.jlens.io.Json;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * TransformerLens' HookedTransformerConfig: the sizes and the kinds of parts (normalization, activation,
 * positional embedding, gated or plain MLP, attention and MLP in sequence or in parallel) one block wiring
 * serves. An {@link Architecture} derives it from a Hugging Face {@code config.json} by TransformerLens' rules.
 *
 * @param architecture    TransformerLens' {@code original_architecture}, e.g. {@code GPT2LMHeadModel}
 * @param nKeyValueHeads  heads of keys and values (fewer than {@code nHeads} with grouped-query attention)
 */
public record ModelConfig(
        String modelName,
        String architecture,
        int dModel,
        int nHeads,
        int dHead,
        int nKeyValueHeads,
        int dMlp,
        int nLayers,
        int nCtx,
        int dVocab,
        int dVocabOut,
        float eps,
        ActivationFunction actFn,
        NormalizationType normalizationType,
        PositionalEmbeddingType positionalEmbeddingType,
        boolean gatedMlp,
        boolean parallelAttnMlp,
        float attnScale,
        boolean defaultPrependBos,
        HookFlags hookFlags) {

    /** Largest sizes accepted from a config.json: a little above gpt2-xl, so typos cannot ask for terabytes. */
    public static final int MAX_D_MODEL = 16384, MAX_LAYERS = 512, MAX_HEADS = 1024, MAX_CTX = 1 << 20, MAX_VOCAB = 1 << 22;
    /** config.json is read whole; GPT-2's is under 1 kB. Nesting is bounded so a hostile file cannot exhaust the stack. */
    static final long MAX_CONFIG_BYTES = 16L << 20;
    static final int MAX_CONFIG_DEPTH = 64;

    public long nParams() {
        return (long) nLayers * (4L * dModel * dModel) + (long) nLayers * (2L * dModel * dMlp);
    }

    public ModelConfig withNormalizationType(NormalizationType type) {
        return new ModelConfig(modelName, architecture, dModel, nHeads, dHead, nKeyValueHeads, dMlp, nLayers, nCtx, dVocab, dVocabOut, eps,
                actFn, type, positionalEmbeddingType, gatedMlp, parallelAttnMlp, attnScale, defaultPrependBos, hookFlags);
    }

    public ModelConfig withHookFlags(HookFlags flags) {
        return new ModelConfig(modelName, architecture, dModel, nHeads, dHead, nKeyValueHeads, dMlp, nLayers, nCtx, dVocab, dVocabOut, eps,
                actFn, normalizationType, positionalEmbeddingType, gatedMlp, parallelAttnMlp, attnScale, defaultPrependBos, flags);
    }

    /** {@code use_attn_result}: each head's output is computed and fires {@code attn.hook_result}. */
    public boolean useAttnResult() {
        return hookFlags.useAttnResult();
    }

    /** {@code use_split_qkv_input}: the residual stream is copied per head for the query, key and value inputs. */
    public boolean useSplitQkvInput() {
        return hookFlags.useSplitQkvInput();
    }

    /** {@code use_attn_in}: the attention input is copied per head and fires {@code hook_attn_in}. */
    public boolean useAttnIn() {
        return hookFlags.useAttnIn();
    }

    /** {@code use_hook_mlp_in}: the MLP input fires {@code hook_mlp_in}. */
    public boolean useHookMlpIn() {
        return hookFlags.useHookMlpIn();
    }

    /**
     * What of this config jlens' block does not compute yet, or empty: a model with such a part is refused
     * when it is built rather than run with the part left out.
     */
    public java.util.Optional<String> unsupportedPart() {
        if (normalizationType != NormalizationType.LN && normalizationType != NormalizationType.LN_PRE) return java.util.Optional.of("normalization " + normalizationType);
        if (actFn != ActivationFunction.GELU_NEW) return java.util.Optional.of("activation " + actFn);
        if (positionalEmbeddingType != PositionalEmbeddingType.STANDARD) return java.util.Optional.of(positionalEmbeddingType + " positional embeddings");
        if (gatedMlp) return java.util.Optional.of("a gated MLP");
        if (parallelAttnMlp) return java.util.Optional.of("attention and MLP in parallel");
        if (nKeyValueHeads != nHeads) return java.util.Optional.of("grouped-query attention (" + nKeyValueHeads + " key/value heads for " + nHeads + " heads)");
        return java.util.Optional.empty();
    }

    /** Reads a Hugging Face {@code config.json} by the rules of the architecture its {@code model_type} names. */
    public static ModelConfig fromHuggingFace(Path configJson, String modelName, boolean foldLn) {
        ConfigFields fields = ConfigFields.read(configJson, MAX_CONFIG_BYTES, MAX_CONFIG_DEPTH, "a config.json");
        return Architectures.forConfig(fields).config(fields, modelName, foldLn);
    }

    static ModelConfig fromHuggingFace(Json.Obj root, String source, String modelName, boolean foldLn) {
        ConfigFields fields = new ConfigFields(root, source);
        return Architectures.forConfig(fields).config(fields, modelName, foldLn);
    }
}
