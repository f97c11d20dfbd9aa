package dev.jlens.spark;

import dev.jlens.JlensException;
import dev.jlens.hub.HubSettings;
import dev.jlens.hub.SaeSources;
import dev.jlens.model.HookedTransformer;
import dev.jlens.sae.Sae;
import dev.jlens.sae.Saes;
import dev.jlens.util.Progress;

import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A model as executors find it: a folder on storage every node sees, a known name or repo id taken from the Hugging
 * Face cache of each node, or a folder distributed with the job ({@code spark-submit --archives gpt2.zip#gpt2}, then
 * {@code --model gpt2}), looked up in the job's files when it is not in the executor's working folder. SAEs spliced
 * in (with their error terms, as {@code jlens activations --sae} splices them) are found the same way.
 *
 * @param model as {@code --model} takes it
 * @param saes as {@code --sae} takes them, in order
 */
public record ModelRef(String model, List<String> saes) implements Serializable {
    public ModelRef {
        if (model == null || model.isBlank()) throw new JlensException("--model: no model given");
        saes = List.copyOf(saes);
    }

    public ModelRef(String model) {
        this(model, List.of());
    }

    /**
     * The model named on the driver: a folder that exists here is named by its absolute path, so that executors of a
     * cluster whose nodes see the same storage find it wherever their working folder is.
     */
    public static ModelRef of(String model) {
        return new ModelRef(onTheDriver(model));
    }

    /** This model with {@code saes} spliced in (folders that exist here named by their absolute paths). */
    public ModelRef withSaes(List<String> saes) {
        List<String> named = new ArrayList<>();
        for (String sae : saes) named.add(onTheDriver(sae));
        return new ModelRef(model, named);
    }

    private static String onTheDriver(String name) {
        Path here = Path.of(name);
        return Files.isDirectory(here) ? here.toAbsolutePath().normalize().toString() : name;
    }

    /** Loads the model here (an executor), with its SAEs; a folder not found as given is looked for among the job's files. */
    HookedTransformer load() {
        HookedTransformer m = HookedTransformer.fromPretrained(distributed(model));
        if (saes.isEmpty()) return m;
        List<Sae> loaded = new ArrayList<>();
        for (String sae : saes) {
            String at = distributed(sae);
            loaded.add(Files.isDirectory(Path.of(at)) ? Sae.load(Path.of(at)) : SaeSources.load(at, HubSettings.fromEnvironment(), Progress.NONE));
        }
        return Saes.withSaes(m, true, loaded);
    }

    /** A relative folder that is not in the working folder but among the job's files (--archives, --files): that one. */
    private static String distributed(String name) {
        Path given = Path.of(name);
        if (!given.isAbsolute() && !Files.isDirectory(given)) {
            Path shipped = Path.of(org.apache.spark.SparkFiles.getRootDirectory()).resolve(name);
            if (Files.isDirectory(shipped)) return shipped.toString();
        }
        return name;
    }

    @Override
    public String toString() {
        return saes.isEmpty() ? model : model + " with " + String.join(", ", saes);
    }
}
