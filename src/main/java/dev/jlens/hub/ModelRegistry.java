package dev.jlens.hub;

import dev.jlens.JlensException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * Models by TransformerLens' official names, their aliases (looked up case-insensitively, as TransformerLens does)
 * and the Hugging Face repositories they come from: GPT-2, Pythia (every size, deduped, the v0 releases, each
 * with its training checkpoints as revisions {@code stepN}), Llama 2 and 3, Gemma-2.
 */
public final class ModelRegistry {
    /** A known model: its official name, hub repository, and the shape that gives its download size. */
    public record KnownModel(String officialName, String repoId, int nLayers, int dModel, int nHeads, long approxBytes) {}

    private static final List<KnownModel> MODELS = new ArrayList<>(List.of(
            new KnownModel("gpt2", "openai-community/gpt2", 12, 768, 12, 548_105_171L),
            new KnownModel("gpt2-medium", "openai-community/gpt2-medium", 24, 1024, 16, 1_519_848_328L),
            new KnownModel("gpt2-large", "openai-community/gpt2-large", 36, 1280, 20, 3_247_202_234L),
            new KnownModel("gpt2-xl", "openai-community/gpt2-xl", 48, 1600, 25, 6_431_829_964L),
            new KnownModel("distilgpt2", "distilbert/distilgpt2", 6, 768, 12, 352_824_413L)));

    private static final Map<String, String> ALIASES = new LinkedHashMap<>(Map.of(
            "gpt2-small", "gpt2",
            "distillgpt2", "distilgpt2", "distill-gpt2", "distilgpt2", "distil-gpt2", "distilgpt2", "gpt2-xs", "distilgpt2"));

    /** Aliases as TransformerLens writes them (the lookup is by their lower case). */
    private static final Map<String, String> ALIAS_SPELLING = new LinkedHashMap<>();

    /** Pythia's sizes as named, the older name TransformerLens also accepts, and the shape. */
    private record PythiaSize(String name, String oldName, int nLayers, int dModel, int nHeads, double params) {}

    private static final List<PythiaSize> PYTHIA = List.of(
            new PythiaSize("70m", "19m", 6, 512, 8, 70e6), new PythiaSize("160m", "125m", 12, 768, 12, 160e6),
            new PythiaSize("410m", "350m", 24, 1024, 16, 410e6), new PythiaSize("1b", "800m", 16, 2048, 8, 1.0e9),
            new PythiaSize("1.4b", "1.3b", 24, 2048, 16, 1.4e9), new PythiaSize("2.8b", "2.7b", 32, 2560, 32, 2.8e9),
            new PythiaSize("6.9b", "6.7b", 32, 4096, 32, 6.9e9), new PythiaSize("12b", "13b", 36, 5120, 40, 12e9));

    static {
        // Sizes are the checkpoints' at 2 bytes a parameter (they are stored in float16 or bfloat16).
        for (PythiaSize s : PYTHIA) {
            for (String variant : List.of("", "-deduped", "-v0", "-deduped-v0")) {
                String official = "EleutherAI/pythia-" + s.name() + variant;
                add(new KnownModel(official, official, s.nLayers(), s.dModel(), s.nHeads(), (long) (2 * s.params())),
                        "pythia-" + s.name() + variant, "EleutherAI/pythia-" + s.oldName() + variant,
                        "pythia-" + s.oldName() + variant);
            }
        }
        ALIASES.put("pythia", "EleutherAI/pythia-70m");
        add(new KnownModel("meta-llama/Llama-2-7b-hf", "meta-llama/Llama-2-7b-hf", 32, 4096, 32, 13_500_000_000L), "Llama-2-7b");
        add(new KnownModel("meta-llama/Llama-2-7b-chat-hf", "meta-llama/Llama-2-7b-chat-hf", 32, 4096, 32, 13_500_000_000L), "Llama-2-7b-chat");
        add(new KnownModel("meta-llama/Llama-2-13b-hf", "meta-llama/Llama-2-13b-hf", 40, 5120, 40, 26_000_000_000L), "Llama-2-13b");
        add(new KnownModel("meta-llama/Llama-2-13b-chat-hf", "meta-llama/Llama-2-13b-chat-hf", 40, 5120, 40, 26_000_000_000L), "Llama-2-13b-chat");
        add(new KnownModel("meta-llama/Llama-2-70b-chat-hf", "meta-llama/Llama-2-70b-chat-hf", 80, 8192, 64, 138_000_000_000L),
                "Llama-2-70b-chat", "meta-llama-2-70b-chat-hf");
        for (String name : List.of("Meta-Llama-3-8B", "Meta-Llama-3-8B-Instruct", "Llama-3.1-8B", "Llama-3.1-8B-Instruct")) {
            add(new KnownModel("meta-llama/" + name, "meta-llama/" + name, 32, 4096, 32, 16_000_000_000L));
        }
        for (String name : List.of("Meta-Llama-3-70B", "Meta-Llama-3-70B-Instruct", "Llama-3.1-70B", "Llama-3.1-70B-Instruct",
                "Llama-3.3-70B-Instruct")) {
            add(new KnownModel("meta-llama/" + name, "meta-llama/" + name, 80, 8192, 64, 141_000_000_000L));
        }
        for (String name : List.of("Llama-3.2-1B", "Llama-3.2-1B-Instruct")) {
            add(new KnownModel("meta-llama/" + name, "meta-llama/" + name, 16, 2048, 32, 2_470_000_000L));
        }
        for (String name : List.of("Llama-3.2-3B", "Llama-3.2-3B-Instruct")) {
            add(new KnownModel("meta-llama/" + name, "meta-llama/" + name, 28, 3072, 24, 6_430_000_000L));
        }
        for (String it : List.of("", "-it")) {
            add(new KnownModel("google/gemma-2-2b" + it, "google/gemma-2-2b" + it, 26, 2304, 8, 5_230_000_000L), "gemma-2-2b" + it);
            add(new KnownModel("google/gemma-2-9b" + it, "google/gemma-2-9b" + it, 42, 3584, 16, 18_480_000_000L), "gemma-2-9b" + it);
            add(new KnownModel("google/gemma-2-27b" + it, "google/gemma-2-27b" + it, 46, 4608, 32, 54_460_000_000L), "gemma-2-27b" + it);
        }
    }

    private static void add(KnownModel model, String... aliases) {
        MODELS.add(model);
        for (String alias : aliases) {
            ALIASES.put(alias.toLowerCase(Locale.ROOT), model.officialName());
            ALIAS_SPELLING.put(alias.toLowerCase(Locale.ROOT), alias);
        }
    }

    /** Pythia's training checkpoints, as TransformerLens lists them: log-spaced to 512, then every 1000 steps. */
    private static final List<Integer> PYTHIA_STEPS = IntStream.concat(IntStream.of(0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512),
            IntStream.rangeClosed(1, 143).map(k -> 1000 * k)).boxed().toList();
    /** The v0 releases have no log-spaced early checkpoints. */
    private static final List<Integer> PYTHIA_V0_STEPS = IntStream.rangeClosed(1, 143).map(k -> 1000 * k).boxed().toList();
    private static final Pattern STEP = Pattern.compile("step(\\d{1,9})");

    private ModelRegistry() {}

    public static List<KnownModel> all() {
        return List.copyOf(MODELS);
    }

    /** The official name for a name or alias (case-insensitive), if known. */
    public static Optional<KnownModel> lookup(String nameOrAlias) {
        String key = nameOrAlias.toLowerCase(Locale.ROOT);
        String official = ALIASES.getOrDefault(key, key).toLowerCase(Locale.ROOT);
        for (KnownModel m : MODELS) {
            if (m.officialName().toLowerCase(Locale.ROOT).equals(official) || m.repoId().toLowerCase(Locale.ROOT).equals(key)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    public static KnownModel require(String nameOrAlias) {
        return lookup(nameOrAlias).orElseThrow(() -> new JlensException(
                "unknown model '" + nameOrAlias + "'; known models: " + namesWithAliases(MODELS.subList(0, 5))
                        + ", pythia-70m ... pythia-12b (-deduped, -v0), Llama-2-7b ..., meta-llama/Meta-Llama-3-8B ...,"
                        + " gemma-2-2b ... (jlens models lists them all), a Hugging Face repo id (org/name), or a local folder"));
    }

    /**
     * Checks a revision {@code stepN} of a Pythia model against the checkpoints it has (TransformerLens'
     * {@code checkpoint_value}); other revisions and models pass unchecked (the Hub answers for them).
     */
    public static void checkCheckpoint(KnownModel model, String revision) {
        Matcher step = STEP.matcher(revision);
        if (!model.officialName().startsWith("EleutherAI/pythia-") || !step.matches()) return;
        boolean v0 = model.officialName().endsWith("-v0");
        List<Integer> steps = v0 ? PYTHIA_V0_STEPS : PYTHIA_STEPS;
        if (!steps.contains(Integer.parseInt(step.group(1)))) {
            throw new JlensException(model.officialName() + "@" + revision + ": no such training checkpoint; "
                    + (v0 ? "the v0 models have steps 1000, 2000, ..., 143000"
                    : "Pythia has steps 0, 1, 2, 4, ..., 512, then 1000, 2000, ..., 143000"));
        }
    }

    /** The aliases of an official name, sorted. */
    public static List<String> aliasesOf(String officialName) {
        return ALIASES.entrySet().stream().filter(e -> e.getValue().equals(officialName))
                .map(e -> ALIAS_SPELLING.getOrDefault(e.getKey(), e.getKey())).sorted().toList();
    }

    /** "gpt2 (gpt2-small), gpt2-medium, ..." for help texts and errors. */
    public static String namesWithAliases() {
        return namesWithAliases(MODELS);
    }

    private static String namesWithAliases(List<KnownModel> models) {
        Map<String, StringBuilder> byName = new LinkedHashMap<>();
        for (KnownModel m : models) byName.put(m.officialName(), new StringBuilder(m.officialName()));
        for (KnownModel m : models) {
            StringBuilder sb = byName.get(m.officialName());
            for (String alias : aliasesOf(m.officialName())) sb.append(sb.indexOf("(") < 0 ? " (" : ", ").append(alias);
        }
        return String.join(", ", byName.values().stream().map(sb -> sb.indexOf("(") < 0 ? sb.toString() : sb + ")").toList());
    }
}
