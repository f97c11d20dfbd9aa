package dev.jlens.model;

import dev.jlens.JlensException;
import dev.jlens.io.Json;
import dev.jlens.io.SmallFiles;

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
        Json root;
        try {
            byte[] bytes = SmallFiles.read(configJson, MAX_CONFIG_BYTES, "a config.json");
            String text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
            root = Json.parse(text, MAX_CONFIG_DEPTH);
        } catch (CharacterCodingException e) {
            throw new JlensException(configJson + ": not valid UTF-8 text; is this a config.json?");
        } catch (IOException e) {
            throw new JlensException(configJson + ": cannot read (" + e.getMessage() + ")");
        } catch (JlensException e) {
            throw e;
        } catch (Json.SyntaxError e) {
            throw new JlensException(configJson + ": not valid JSON (" + e.getMessage() + ")");
        }
        if (!(root instanceof Json.Obj object)) throw new JlensException(configJson + ": not a JSON object");
        return fromHuggingFace(object, configJson.toString(), modelName, foldLn);
    }

    static ModelConfig fromHuggingFace(Json.Obj root, String source, String modelName, boolean foldLn) {
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

    private static int positiveInt(Json.Obj root, String field, int max, String source) {
        Json n = root.get(field);
        if (n == null || n == Json.Null.NULL) throw new JlensException(source + ": field \"" + field + "\" is missing");
        if (!(n instanceof Json.Num num) || !num.isIntegral()) throw new JlensException(source + ": field \"" + field + "\" must be an integer, got " + shortJson(n));
        if (!num.fitsLong()) throw new JlensException(source + ": field \"" + field + "\" = " + shortJson(n) + " is out of range (1.." + max + ")");
        long v = num.asLong();
        if (v <= 0 || v > max) throw new JlensException(source + ": field \"" + field + "\" = " + v + " is out of range (1.." + max + ")");
        return (int) v;
    }

    private static void fits(String source, String what, long elements) {
        if (elements > Integer.MAX_VALUE) {
            throw new JlensException(source + ": " + what + " = " + elements + " values, more than one tensor can hold (2^31 - 1); are the sizes right?");
        }
    }

    private static String optionalString(Json.Obj root, String field, String fallback, String source) {
        Json n = root.get(field);
        if (n == null || n == Json.Null.NULL) return fallback;
        if (!(n instanceof Json.Str str)) throw new JlensException(source + ": field \"" + field + "\" must be a string, got " + shortJson(n));
        return str.value();
    }

    private static boolean optionalBoolean(Json.Obj root, String field, String source) {
        Json n = root.get(field);
        if (n == null || n == Json.Null.NULL) return false;
        if (!(n instanceof Json.Bool b)) throw new JlensException(source + ": field \"" + field + "\" must be true or false, got " + shortJson(n));
        return b.value();
    }

    /** A JSON value for a message: at most 60 characters. */
    private static String shortJson(Json n) {
        String s = n.toString();
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }

    private static double number(Json.Obj root, String field, String source) {
        Json n = root.get(field);
        if (!(n instanceof Json.Num num)) throw new JlensException(source + ": field \"" + field + "\" must be a number, got " + shortJson(n));
        return num.asDouble();
    }
}
