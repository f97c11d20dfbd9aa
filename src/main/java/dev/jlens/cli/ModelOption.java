package dev.jlens.cli;

import dev.jlens.JlensException;
import dev.jlens.hub.HubSettings;
import dev.jlens.hub.Revision;
import dev.jlens.model.CacheSettings;
import dev.jlens.model.HookedTransformer;
import dev.jlens.model.JlensRuntime;
import dev.jlens.tensor.Parallel;
import dev.jlens.hub.ModelSources;
import dev.jlens.model.ModelResolver;
import dev.jlens.model.WeightProcessing;
import dev.jlens.util.Text;
import picocli.CommandLine.Option;

/**
 * The {@code --model} option every model command shares, and {@code --revision} for a model from the Hub (public:
 * jlens-spark's driver declares them through this class too).
 */
public final class ModelOption {
    @Option(names = "--model", required = true, paramLabel = "M",
            description = "A known name or alias (gpt2-small, gpt2, gpt2-medium, gpt2-large, gpt2-xl, distilgpt2), "
                    + "a Hugging Face repo id (org/name), or a local folder in the Hugging Face layout. "
                    + "A name or repo id is taken from the Hugging Face cache, and downloaded into it when missing.")
    String model;

    @Option(names = "--revision", paramLabel = "R",
            description = "Branch, tag or commit of a model from the Hub (default: main); NAME@R says the same.")
    String revision;

    /** The model as one name for a loader elsewhere (a Spark executor): {@code --model}, or NAME@R with {@code --revision}. */
    public String reference() {
        return revision == null ? model : model + "@" + checkRevision(model, revision);
    }

    HookedTransformer load(Main.Streams streams) {
        return load(streams, model, revision);
    }

    /** Loads a model by name, repo id or folder, downloading it (with a progress bar) when needed. */
    static HookedTransformer load(Main.Streams streams, String model, String revision) {
        try (ProgressBar bar = ProgressBar.forStreams(streams, model)) {
            return ModelSources.load(model, WeightProcessing.Options.DEFAULT, hub(streams, model, revision), bar, runtime(streams));
        }
    }

    /**
     * What a command's model runs with: every core (or {@code -Djlens.threads}), the kernel warm-up (which the
     * command line starts itself, at once), the cache of the environment's {@code JLENS_WEIGHTS_CACHE*} with its
     * notices on stderr, and full collections where they hand memory back.
     */
    static JlensRuntime runtime(Main.Streams streams) {
        CacheSettings cache = CacheSettings.fromEnvironment(streams.env())
                .withNotices(line -> streams.err().println("jlens: note: " + Text.oneLine(line)));
        return new JlensRuntime(Parallel.common(), Main.warmsUp(), cache, true);
    }

    ModelResolver.Resolved resolve(Main.Streams streams) {
        try (ProgressBar bar = ProgressBar.forStreams(streams, model)) {
            return ModelSources.resolve(model, hub(streams, model, revision), bar);
        }
    }

    /** The Hub settings of the environment, with the revision of --revision (which must not also be in NAME@R). */
    static HubSettings hub(Main.Streams streams, String model, String revision) {
        HubSettings hub = HubSettings.fromEnvironment(streams.env());
        return revision == null ? hub : hub.withRevision(checkRevision(model, revision));
    }

    /** A revision for a model from the Hub, given once; returns it checked. */
    private static String checkRevision(String model, String revision) {
        if (java.nio.file.Files.isDirectory(java.nio.file.Path.of(model))) {
            throw new JlensException("--revision is for a model from the Hub, and " + model + " is a local folder");
        }
        ModelSources.hubModel(model).filter(m -> m.revision() != null).ifPresent(m -> {
            throw new JlensException("the revision is given twice (" + model + " and --revision " + revision + "); give it once");
        });
        return Revision.check(revision);
    }
}
