package dev.jlens.hub;

import dev.jlens.model.ModelResolver;
import dev.jlens.util.Progress;

/** {@link ModelResolver} by the Hugging Face cache and Hub, with the settings of the environment (HF_ENDPOINT, HF_TOKEN, ...). */
public final class HubModelResolver implements ModelResolver {
    @Override
    public Resolved resolve(String model, Progress progress) {
        return ModelSources.resolve(model, HubSettings.fromEnvironment(), progress);
    }
}
