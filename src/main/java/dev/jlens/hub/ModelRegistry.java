package dev.jlens.hub;

import dev.jlens.JlensException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The GPT-2 family by TransformerLens' official names, their aliases (looked up case-insensitively, as
 * TransformerLens does) and the Hugging Face repositories they come from.
 */
public final class ModelRegistry {
    /** A known model: its official name, hub repository, and the shape that gives its download size. */
    public record KnownModel(String officialName, String repoId, int nLayers, int dModel, int nHeads, long approxBytes) {}

    private static final List<KnownModel> MODELS = List.of(
            new KnownModel("gpt2", "openai-community/gpt2", 12, 768, 12, 548_105_171L),
            new KnownModel("gpt2-medium", "openai-community/gpt2-medium", 24, 1024, 16, 1_519_848_328L),
            new KnownModel("gpt2-large", "openai-community/gpt2-large", 36, 1280, 20, 3_247_202_234L),
            new KnownModel("gpt2-xl", "openai-community/gpt2-xl", 48, 1600, 25, 6_431_829_964L),
            new KnownModel("distilgpt2", "distilbert/distilgpt2", 6, 768, 12, 352_824_413L));

    private static final Map<String, String> ALIASES = Map.of(
            "gpt2-small", "gpt2",
            "distillgpt2", "distilgpt2", "distill-gpt2", "distilgpt2", "distil-gpt2", "distilgpt2", "gpt2-xs", "distilgpt2");

    private ModelRegistry() {}

    public static List<KnownModel> all() {
        return MODELS;
    }

    /** The official name for a name or alias (case-insensitive), if known. */
    public static Optional<KnownModel> lookup(String nameOrAlias) {
        String key = nameOrAlias.toLowerCase(Locale.ROOT);
        String official = ALIASES.getOrDefault(key, key);
        for (KnownModel m : MODELS) {
            if (m.officialName().equals(official) || m.repoId().toLowerCase(Locale.ROOT).equals(key)) return Optional.of(m);
        }
        return Optional.empty();
    }

    public static KnownModel require(String nameOrAlias) {
        return lookup(nameOrAlias).orElseThrow(() -> new JlensException(
                "unknown model '" + nameOrAlias + "'; known models: " + namesWithAliases()
                        + ", a Hugging Face repo id (org/name), or a local folder"));
    }

    /** The aliases of an official name, sorted. */
    public static List<String> aliasesOf(String officialName) {
        return ALIASES.entrySet().stream().filter(e -> e.getValue().equals(officialName)).map(Map.Entry::getKey).sorted().toList();
    }

    /** "gpt2 (gpt2-small), gpt2-medium, ..." for help texts and errors. */
    public static String namesWithAliases() {
        Map<String, StringBuilder> byName = new LinkedHashMap<>();
        for (KnownModel m : MODELS) byName.put(m.officialName(), new StringBuilder(m.officialName()));
        ALIASES.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            StringBuilder sb = byName.get(e.getValue());
            sb.append(sb.indexOf("(") < 0 ? " (" : ", ").append(e.getKey());
        });
        return String.join(", ", byName.values().stream().map(sb -> sb.indexOf("(") < 0 ? sb.toString() : sb + ")").toList());
    }
}
