package dev.jlens.model;

import dev.jlens.util.Progress;

import java.nio.file.Path;

/**
 * Turns what {@link HookedTransformer#fromPretrained(String)} is given (a folder, a known name such as
 * {@code gpt2-small}, a repo id) into a local folder in the Hugging Face layout. The Hub package provides it,
 * found through {@link java.util.ServiceLoader}, so that the model layer does not depend on the Hub.
 */
public interface ModelResolver {
    /** A folder to load and the model name TransformerLens would report for it. */
    record Resolved(Path folder, String modelName) {}

    /** Resolves {@code model} (downloading it when it must), reporting a download's bytes to {@code progress}. */
    Resolved resolve(String model, Progress progress);
}
