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
        HookFlags hookFlags,
        Variant variant) {

    /** GPT-2's shape of config (no rotary, softcaps, post norms or local attention), as its architecture gives. */
    public ModelConfig(String modelName, String architecture, int dModel, int nHeads, int dHead, int nKeyValueHeads, int dMlp, int nLayers,
                       int nCtx, int dVocab, int dVocabOut, float eps, ActivationFunction actFn, NormalizationType normalizationType,
                       PositionalEmbeddingType positionalEmbeddingType, boolean gatedMlp, boolean parallelAttnMlp, float attnScale,
                       boolean defaultPrependBos, HookFlags hookFlags) {
        this(modelName, architecture, dModel, nHeads, dHead, nKeyValueHeads, dMlp, nLayers, nCtx, dVocab, dVocabOut, eps, actFn,
                normalizationType, positionalEmbeddingType, gatedMlp, parallelAttnMlp, attnScale, defaultPrependBos, hookFlags, Variant.NONE);
    }

    /**
     * The parts of TransformerLens' config beyond GPT-2's: rotary embeddings ({@code rotary_dim}, {@code rotary_base},
     * {@code rotary_adjacent_pairs} and a scaling), attention and final-logit soft caps (0: none),
     * {@code use_normalization_before_and_after}, and local attention ({@code window_size}, the layers whose
     * {@code attn_types} entry is "local").
     */
    public record Variant(int rotaryDim, double rotaryBase, boolean rotaryAdjacentPairs, RopeScaling ropeScaling,
                          float attnScoresSoftCap, float outputLogitsSoftCap, boolean normalizationBeforeAndAfter,
                          int windowSize, java.util.Set<Integer> localLayers) {
        public static final Variant NONE = new Variant(0, 10000, false, RopeScaling.NONE, 0f, 0f, false, 0, java.util.Set.of());
    }

    /**
     * TransformerLens' rotary frequency variants: none, linear ({@code rotary_scaling_factor}), Llama 3's
     * NTK-by-parts and YaRN, with their parameters (unused ones ignored).
     */
    public record RopeScaling(Kind kind, double factor, double lowFreqFactor, double highFreqFactor, double originalContext,
                              double betaFast, double betaSlow, double attentionFactor) {
        public enum Kind { NONE, LINEAR, NTK_BY_PARTS, YARN }

        public static final RopeScaling NONE = new RopeScaling(Kind.NONE, 1, 1, 4, 8192, 32, 1, 1);
    }

    /** Heads of keys and values' width, {@code n_key_value_heads * d_head}. */
    public int kvWidth() {
        return nKeyValueHeads * dHead;
    }

    /** Whether layer {@code l} attends only to the last {@code window_size} positions. */
    public boolean localAttention(int layer) {
        return variant.localLayers().contains(layer);
    }

    /** RMSNorm (TransformerLens' RMS and RMSPre) rather than LayerNorm. */
    public boolean rmsNorm() {
        return normalizationType == NormalizationType.RMS || normalizationType == NormalizationType.RMS_PRE;
    }

    /** The hook points inside a block this config has (TransformerLens registers only these). */
    public java.util.Set<dev.jlens.hooks.HookPoints.Site> hookSites() {
        var sites = java.util.EnumSet.allOf(dev.jlens.hooks.HookPoints.Site.class);
        if (positionalEmbeddingType != PositionalEmbeddingType.ROTARY) {
            sites.remove(dev.jlens.hooks.HookPoints.Site.ROT_Q);
            sites.remove(dev.jlens.hooks.HookPoints.Site.ROT_K);
        }
        if (!gatedMlp) sites.remove(dev.jlens.hooks.HookPoints.Site.MLP_PRE_LINEAR);
        if (!variant.normalizationBeforeAndAfter()) {
            sites.removeAll(java.util.List.of(dev.jlens.hooks.HookPoints.Site.LN1_POST_SCALE, dev.jlens.hooks.HookPoints.Site.LN1_POST_NORMALIZED,
                    dev.jlens.hooks.HookPoints.Site.LN2_POST_SCALE, dev.jlens.hooks.HookPoints.Site.LN2_POST_NORMALIZED));
        }
        if (parallelAttnMlp) sites.remove(dev.jlens.hooks.HookPoints.Site.RESID_MID);
        return sites;
    }

    /** Whether {@code hook_pos_embed} exists (learned positions only). */
    public boolean hasPosEmbed() {
        return positionalEmbeddingType == PositionalEmbeddingType.STANDARD;
    }

    /** Largest sizes accepted from a config.json: a little above gpt2-xl, so typos cannot ask for terabytes. */
    public static final int MAX_D_MODEL = 16384, MAX_LAYERS = 512, MAX_HEADS = 1024, MAX_CTX = 1 << 20, MAX_VOCAB = 1 << 22;
    /** config.json is read whole; GPT-2's is under 1 kB. Nesting is bounded so a hostile file cannot exhaust the stack. */
    static final long MAX_CONFIG_BYTES = 16L << 20;
    static final int MAX_CONFIG_DEPTH = 64;

    public long nParams() {
        if (nKeyValueHeads != nHeads || gatedMlp || nHeads * dHead != dModel) {
            long attention = 2L * dModel * nHeads * dHead + 2L * dModel * kvWidth();
            return nLayers * (attention + (gatedMlp ? 3L : 2L) * dModel * dMlp);
        }
        return (long) nLayers * (4L * dModel * dModel) + (long) nLayers * (2L * dModel * dMlp);
    }

    public ModelConfig withNormalizationType(NormalizationType type) {
        return new ModelConfig(modelName, architecture, dModel, nHeads, dHead, nKeyValueHeads, dMlp, nLayers, nCtx, dVocab, dVocabOut, eps,
                actFn, type, positionalEmbeddingType, gatedMlp, parallelAttnMlp, attnScale, defaultPrependBos, hookFlags, variant);
    }

    public ModelConfig withHookFlags(HookFlags flags) {
        return new ModelConfig(modelName, architecture, dModel, nHeads, dHead, nKeyValueHeads, dMlp, nLayers, nCtx, dVocab, dVocabOut, eps,
                actFn, normalizationType, positionalEmbeddingType, gatedMlp, parallelAttnMlp, attnScale, defaultPrependBos, flags, variant);
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
        boolean grouped = nKeyValueHeads != nHeads, rotary = positionalEmbeddingType == PositionalEmbeddingType.ROTARY;
        if ((useSplitQkvInput() || useAttnIn()) && (grouped || rotary)) {
            return java.util.Optional.of("use_split_qkv_input or use_attn_in with rotary embeddings or grouped-query attention");
        }
        if (grouped && (nKeyValueHeads <= 0 || nHeads % nKeyValueHeads != 0)) {
            return java.util.Optional.of("grouped-query attention with " + nKeyValueHeads + " key/value heads for " + nHeads + " heads");
        }
        if (rotary && (variant.rotaryDim() <= 0 || variant.rotaryDim() > dHead || variant.rotaryDim() % 2 != 0)) {
            return java.util.Optional.of("a rotary dimension of " + variant.rotaryDim() + " for heads of " + dHead);
        }
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
