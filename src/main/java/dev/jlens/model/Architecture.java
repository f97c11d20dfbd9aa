package dev.jlens.model;

import dev.jlens.io.Checkpoint;

import java.util.List;

/**
 * One family of models (GPT-2, GPT-NeoX, ...): how its Hugging Face {@code config.json} becomes TransformerLens'
 * config and how its checkpoint's tensors become TransformerLens' parameters. Everything after that is shared:
 * weight processing follows the config's normalization, the block its parts, the hook points its switches.
 * Adding an architecture is adding its package beside {@code model.gpt2} and a line in {@link Architectures}.
 */
public interface Architecture {
    /** For messages: "GPT-2". */
    String displayName();

    /** The {@code model_type} values of config.json it reads, e.g. {@code gpt2}. */
    List<String> modelTypes();

    /** TransformerLens' {@code original_architecture}, which configs made by it carry. */
    String name();

    /** TransformerLens' config for a config.json of one of its model types ({@code foldLn}: normalization folded). */
    ModelConfig config(ConfigFields config, String modelName, boolean foldLn);

    /** Reads the checkpoint's tensors as TransformerLens' parameters. */
    CheckpointReader reader(Checkpoint checkpoint, ModelConfig cfg);
}
