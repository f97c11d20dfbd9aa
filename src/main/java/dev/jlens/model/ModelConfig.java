package dev.jlens.model;

import dev.jlens.JlensException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The subset of TransformerLens' HookedTransformerConfig that describes a GPT-2, derived from a Hugging
 * Face {@code config.json} by TransformerLens' rules (d_head = n_embd / n_head, d_mlp = 4 n_embd with
 * {@code n_inner} ignored, attn_scale = sqrt(d_head), eps from layer_norm_epsilon).
 *
 * @param normalizationType "LNPre" when layer norms were folded into the weights, else "LN"
 */
public record ModelConfig(
        String modelName,
        int dModel,
        int nHeads,
        int dHead,
        int dMlp,
        int nLayers,
        int nCtx,
        int dVocab,
        int dVocabOut,
        float eps,
        String actFn,
        String normalizationType,
        float attnScale,
        boolean defaultPrependBos,
        boolean useAttnResult) {

    /** Largest sizes accepted from a config.json: a little above gpt2-xl, so typos cannot ask for terabytes. */
    static final int MAX_D_MODEL = 16384, MAX_LAYERS = 512, MAX_HEADS = 1024, MAX_CTX = 1 << 20, MAX_VOCAB = 1 << 22;
    /** config.json is read whole; GPT-2's is under 1 kB. Nesting is bounded so a hostile file cannot exhaust the stack. */
    static final long MAX_CONFIG_BYTES = 16L << 20;
    static final int MAX_CONFIG_DEPTH = 64;
    private static final JsonMapper CONFIG_JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_CONFIG_DEPTH).build()).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    public long nParams() {
        return (long) nLayers * (4L * dModel * dModel) + (long) nLayers * (2L * dModel * dMlp);
    }

    public boolean layerNormFolded() {
        return normalizationType.equals("LNPre");
    }

    public ModelConfig withNormalizationType(String type) {
        return new ModelConfig(modelName, dModel, nHeads, dHead, dMlp, nLayers, nCtx, dVocab, dVocabOut, eps, actFn, type,
                attnScale, defaultPrependBos, useAttnResult);
    }

    public ModelConfig withUseAttnResult(boolean on) {
        return new ModelConfig(modelName, dModel, nHeads, dHead, dMlp, nLayers, nCtx, dVocab, dVocabOut, eps, actFn,
                normalizationType, attnScale, defaultPrependBos, on);
    }

    /** Reads {@code config.json} of a Hugging Face GPT-2 folder. */
    public static ModelConfig fromHuggingFace(Path configJson, String modelName, boolean foldLn) {
        JsonNode root;
        try {
            long size = Files.size(configJson);
            if (size > MAX_CONFIG_BYTES) {
                throw new JlensException(configJson + ": " + size + " bytes, more than the " + (MAX_CONFIG_BYTES >> 20)
                        + " MB a config.json may have; is this a config.json?");
            }
            String text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(Files.readAllBytes(configJson))).toString();
            root = CONFIG_JSON.readTree(text);
        } catch (CharacterCodingException e) {
            throw new JlensException(configJson + ": not valid UTF-8 text; is this a config.json?");
        } catch (IOException e) {
            throw new JlensException(configJson + ": cannot read (" + e.getMessage() + ")");
        } catch (JlensException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new JlensException(configJson + ": not valid JSON (" + firstLine(e.getMessage()) + ")");
        }
        if (root == null || !root.isObject()) throw new JlensException(configJson + ": not a JSON object");
        return fromHuggingFace(root, configJson.toString(), modelName, foldLn);
    }

    static ModelConfig fromHuggingFace(JsonNode root, String source, String modelName, boolean foldLn) {
        String modelType = optionalString(root, "model_type", "gpt2", source);
        if (!modelType.equals("gpt2")) {
            throw new JlensException(source + ": model_type is " + shortJson(root.get("model_type")) + "; jlens runs GPT-2 models only (model_type \"gpt2\")");
        }
        int dModel = positiveInt(root, "n_embd", MAX_D_MODEL, source);
        int nHeads = positiveInt(root, "n_head", MAX_HEADS, source);
        int nLayers = positiveInt(root, "n_layer", MAX_LAYERS, source);
        int nCtx = root.has("n_ctx") ? positiveInt(root, "n_ctx", MAX_CTX, source) : positiveInt(root, "n_positions", MAX_CTX, source);
        int vocab = positiveInt(root, "vocab_size", MAX_VOCAB, source);
        if (dModel % nHeads != 0) {
            throw new JlensException(source + ": n_embd " + dModel + " is not divisible by n_head " + nHeads);
        }
        double eps = root.has("layer_norm_epsilon") ? number(root, "layer_norm_epsilon", source) : 1e-5;
        if (!(eps > 0 && eps < 1 && (float) eps > 0)) {
            throw new JlensException(source + ": layer_norm_epsilon " + eps + " must be in (0, 1) and not round to 0 as a float32");
        }
        String act = optionalString(root, "activation_function", "gelu_new", source);
        if (!act.equals("gelu_new")) {
            throw new JlensException(source + ": activation_function " + shortJson(root.get("activation_function")) + " is not supported (GPT-2 uses gelu_new)");
        }
        if (optionalBoolean(root, "scale_attn_by_inverse_layer_idx", source)) {
            throw new JlensException(source + ": scale_attn_by_inverse_layer_idx=true (Stanford CRFM GPT-2s) is not supported");
        }
        int dHead = dModel / nHeads;
        // Each weight matrix must fit one Java array (2^31 - 1 floats): refuse sizes that cannot, before reading any weights.
        fits(source, "vocab_size x n_embd (the token embedding)", (long) vocab * dModel);
        fits(source, "n_ctx x n_embd (the position embedding)", (long) nCtx * dModel);
        fits(source, "n_embd x 4 n_embd (an MLP weight)", (long) dModel * 4 * dModel);
        return new ModelConfig(modelName, dModel, nHeads, dHead, 4 * dModel, nLayers, nCtx, vocab, vocab, (float) eps,
                "gelu_new", foldLn ? "LNPre" : "LN", (float) Math.sqrt(dHead), true, false);
    }

    private static int positiveInt(JsonNode root, String field, int max, String source) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) throw new JlensException(source + ": field \"" + field + "\" is missing");
        if (!n.isIntegralNumber()) throw new JlensException(source + ": field \"" + field + "\" must be an integer, got " + shortJson(n));
        if (!n.canConvertToLong()) throw new JlensException(source + ": field \"" + field + "\" = " + shortJson(n) + " is out of range (1.." + max + ")");
        long v = n.asLong();
        if (v <= 0 || v > max) throw new JlensException(source + ": field \"" + field + "\" = " + v + " is out of range (1.." + max + ")");
        return (int) v;
    }

    private static void fits(String source, String what, long elements) {
        if (elements > Integer.MAX_VALUE) {
            throw new JlensException(source + ": " + what + " = " + elements + " values, more than one tensor can hold (2^31 - 1); are the sizes right?");
        }
    }

    private static String optionalString(JsonNode root, String field, String fallback, String source) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) return fallback;
        if (!n.isString()) throw new JlensException(source + ": field \"" + field + "\" must be a string, got " + shortJson(n));
        return n.asString();
    }

    private static boolean optionalBoolean(JsonNode root, String field, String source) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) return false;
        if (!n.isBoolean()) throw new JlensException(source + ": field \"" + field + "\" must be true or false, got " + shortJson(n));
        return n.asBoolean();
    }

    /** A JSON value for a message: at most 60 characters. */
    private static String shortJson(JsonNode n) {
        String s = n.toString();
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }

    private static double number(JsonNode root, String field, String source) {
        JsonNode n = root.get(field);
        if (!n.isNumber()) throw new JlensException(source + ": field \"" + field + "\" must be a number, got " + shortJson(n));
        return n.asDouble();
    }

    private static String firstLine(String s) {
        if (s == null) return "unknown error";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
