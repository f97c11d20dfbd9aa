package dev.jlens.dataset;

import dev.jlens.model.HookedTransformer;

import java.io.Serializable;

/**
 * The model a per-batch function runs, by name, so the function can be sent to another machine, which loads it once;
 * or a model already loaded here (then the function runs here only: the loaded model is not sent).
 */
final class NamedModel implements Serializable {
    private final String name;
    private transient HookedTransformer loaded;

    NamedModel(String name) {
        this.name = name;
    }

    NamedModel(HookedTransformer model) {
        this(model.cfg().modelName());
        this.loaded = model;
    }

    String name() {
        return name;
    }

    synchronized HookedTransformer get() {
        if (loaded == null) loaded = HookedTransformer.fromPretrained(name);
        return loaded;
    }
}
