package dev.jlens.hub;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The files of a GPT-2 repository that jlens uses: {@code config.json}; the tokenizer files there are
 * ({@code tokenizer_config.json}, {@code vocab.json} + {@code merges.txt} and/or {@code tokenizer.json}); and the
 * weights, {@code model.safetensors}, else {@code pytorch_model.bin}.
 */
public final class ModelFiles {
    public static final String CONFIG = "config.json";
    public static final List<String> TOKENIZER = List.of("tokenizer_config.json", "vocab.json", "merges.txt", "tokenizer.json");
    public static final List<String> WEIGHTS = List.of("model.safetensors", "pytorch_model.bin");

    private ModelFiles() {}

    /** Whether a folder has all a model needs: config, a tokenizer and weights (links must reach their blobs). */
    public static boolean complete(Path dir) {
        return has(dir, CONFIG)
                && ((has(dir, "vocab.json") && has(dir, "merges.txt")) || has(dir, "tokenizer.json"))
                && WEIGHTS.stream().anyMatch(w -> has(dir, w));
    }

    /** The files of interest a folder has, in the order above. */
    public static List<String> present(Path dir) {
        List<String> out = new ArrayList<>();
        if (has(dir, CONFIG)) out.add(CONFIG);
        for (String f : TOKENIZER) if (has(dir, f)) out.add(f);
        for (String f : WEIGHTS) {
            if (has(dir, f)) {
                out.add(f);
                break;
            }
        }
        return out;
    }

    private static boolean has(Path dir, String file) {
        return Files.isRegularFile(dir.resolve(file));  // follows the link: a dangling one does not count
    }
}
