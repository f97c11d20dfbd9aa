package dev.jlens.tokenizer;

import dev.jlens.JlensException;
import dev.jlens.io.SmallFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Which tokens are BOS, EOS and PAD, from a model folder's {@code tokenizer_config.json} (else
 * {@code special_tokens_map.json}), as transformers reads them: each a string or {@code {"content": ...}}. What is
 * not named there is left null, for TransformerLens' fallbacks: EOS {@code <|endoftext|>}, PAD = EOS, BOS = EOS
 * (or the token the post-processor prepends).
 */
final class SpecialTokens {
    /** The special tokens' strings; null where the folder names none. */
    record Names(String bos, String eos, String pad) {
        Names {
            if (eos == null) eos = TokenizerFiles.END_OF_TEXT;
        }
    }

    private static final long MAX_CONFIG_BYTES = 16L << 20; // Gemma's tokenizer_config.json is 1.2 MB

    private SpecialTokens() {
    }

    static Names read(Path folder) {
        String bos = null;
        String eos = null;
        String pad = null;
        for (String name : new String[] {"tokenizer_config.json", "special_tokens_map.json"}) {
            Path file = folder.resolve(name);
            if (!Files.isRegularFile(file)) continue;
            JsonNode config = readJson(file);
            bos = bos != null ? bos : token(config, "bos_token", file);
            eos = eos != null ? eos : token(config, "eos_token", file);
            pad = pad != null ? pad : token(config, "pad_token", file);
        }
        return new Names(bos, eos, pad);
    }

    private static JsonNode readJson(Path file) {
        try {
            byte[] bytes = SmallFiles.read(file, MAX_CONFIG_BYTES, "a tokenizer config file");
            JsonNode node = JsonMapper.shared().readTree(bytes);
            if (node == null || !node.isObject()) throw new JlensException(file + ": not a JSON object");
            return node;
        } catch (JacksonException e) {
            throw new JlensException(file + ": bad JSON: " + dev.jlens.util.Text.oneLine(e.getOriginalMessage()), e);
        } catch (IOException e) {
            throw new JlensException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static String token(JsonNode config, String field, Path file) {
        JsonNode value = config.get(field);
        if (value == null || value.isNull()) return null;
        if (value.isString()) return value.stringValue();
        if (value.isObject() && value.path("content").isString()) return value.get("content").stringValue();
        throw new JlensException(file + ": " + field + " is " + value + ", not a token string");
    }
}
