package dev.jlens.tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The tokenizer of a Hugging Face model folder, whichever kind it is: GPT-2's ({@link Gpt2Tokenizer}: vocab.json +
 * merges.txt, or a tokenizer.json of GPT-2's form) or any other BPE tokenizer.json ({@link HuggingFaceTokenizer}:
 * Pythia, Llama, Gemma).
 */
public final class Tokenizers {
    private Tokenizers() {
    }

    public static Tokenizer fromFolder(Path modelDir) {
        return fromFolder(modelDir, Optional.empty());
    }

    /** As {@link #fromFolder(Path)}; GPT-2's tables are kept in {@code cacheFolder} when given. */
    public static Tokenizer fromFolder(Path modelDir, Optional<Path> cacheFolder) {
        Path tokenizerJson = modelDir.resolve("tokenizer.json");
        // transformers reads tokenizer.json when there is one; GPT-2's own tokenizer reads what it needs itself.
        if (Files.isDirectory(modelDir) && Files.isRegularFile(tokenizerJson) && !TokenizerFiles.hasGpt2Form(tokenizerJson)) {
            return HuggingFaceTokenizer.fromTokenizerJson(tokenizerJson);
        }
        return Gpt2Tokenizer.load(modelDir, cacheFolder);
    }
}
