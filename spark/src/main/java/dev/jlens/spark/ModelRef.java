package dev.jlens.spark;

import dev.jlens.JlensException;
import dev.jlens.model.HookedTransformer;

import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A model as executors find it: a folder on storage every node sees, a known name or repo id taken from the Hugging
 * Face cache of each node, or a folder distributed with the job ({@code spark-submit --archives gpt2.zip#gpt2}, then
 * {@code --model gpt2}), looked up in the job's files when it is not in the executor's working folder.
 *
 * @param model as {@code --model} takes it
 */
public record ModelRef(String model) implements Serializable {
    public ModelRef {
        if (model == null || model.isBlank()) throw new JlensException("--model: no model given");
    }

    /**
     * The model named on the driver: a folder that exists here is named by its absolute path, so that executors of a
     * cluster whose nodes see the same storage find it wherever their working folder is.
     */
    public static ModelRef of(String model) {
        Path here = Path.of(model);
        return new ModelRef(Files.isDirectory(here) ? here.toAbsolutePath().normalize().toString() : model);
    }

    /** Loads the model here (an executor); a folder not found as given is looked for among the job's files. */
    HookedTransformer load() {
        Path given = Path.of(model);
        if (!given.isAbsolute() && !Files.isDirectory(given)) {
            Path distributed = Path.of(org.apache.spark.SparkFiles.getRootDirectory()).resolve(model);
            if (Files.isDirectory(distributed)) return HookedTransformer.fromPretrained(distributed.toString());
        }
        return HookedTransformer.fromPretrained(model);
    }

    @Override
    public String toString() {
        return model;
    }
}
