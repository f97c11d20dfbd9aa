package dev.jlens.model;

import dev.jlens.model.gemma2.Gemma2;
import dev.jlens.model.gpt2.Gpt2;
import dev.jlens.model.llama.Llama;
import dev.jlens.model.neox.GptNeoX;

import java.util.List;
import java.util.stream.Collectors;

/** The architectures jlens runs, found by config.json's {@code model_type} or by a config's architecture name. */
public final class Architectures {
    private static final List<Architecture> ALL = List.of(new Gpt2(), new GptNeoX(), new Llama(), new Gemma2());

    private Architectures() {}

    public static List<Architecture> all() {
        return ALL;
    }

    /** The architecture whose model_type the config names (GPT-2 when it names none, as GPT-2's oldest configs). */
    static Architecture forConfig(ConfigFields config) {
        String type = config.string("model_type", "gpt2");
        for (Architecture a : ALL) if (a.modelTypes().contains(type)) return a;
        String names = ALL.stream().map(Architecture::displayName).collect(Collectors.joining(", "));
        String types = ALL.stream().flatMap(a -> a.modelTypes().stream()).map(t -> "\"" + t + "\"").collect(Collectors.joining(", "));
        throw config.error("model_type is " + config.shortJson("model_type") + "; jlens runs " + names + " models only (model_type " + types + ")");
    }

    /** The architecture that made {@code cfg}. */
    static Architecture of(ModelConfig cfg) {
        for (Architecture a : ALL) if (a.name().equals(cfg.architecture())) return a;
        throw new IllegalArgumentException("no architecture named " + cfg.architecture());
    }
}
