package dev.jlens.cli;

import dev.jlens.model.HookedTransformer;
import dev.jlens.hub.HubSettings;
import dev.jlens.model.ModelSources;
import dev.jlens.model.WeightProcessing;
import picocli.CommandLine.Option;

/** The {@code --model} option every model command shares. */
final class ModelOption {
    @Option(names = "--model", required = true, paramLabel = "M",
            description = "A known name or alias (gpt2-small, gpt2, gpt2-medium, gpt2-large, gpt2-xl, distilgpt2), "
                    + "a Hugging Face repo id (org/name), or a local folder in the Hugging Face layout.")
    String model;

    HookedTransformer load(Main.Streams streams) {
        return HookedTransformer.fromPretrained(model, WeightProcessing.Options.DEFAULT, HubSettings.fromEnvironment(streams.env()));
    }

    ModelSources.Resolved resolve(Main.Streams streams) {
        return ModelSources.resolve(model, HubSettings.fromEnvironment(streams.env()));
    }
}
