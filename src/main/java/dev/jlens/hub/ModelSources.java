package dev.jlens.hub;

import dev.jlens.JlensException;
import dev.jlens.model.CacheSettings;
import dev.jlens.model.HookedTransformer;
import dev.jlens.model.JlensRuntime;
import dev.jlens.model.ModelResolver.Resolved;
import dev.jlens.model.WeightProcessing;
import dev.jlens.util.Progress;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Turns what a user passes as {@code --model} into a local folder in the Hugging Face layout: an existing
 * folder is used as is; a known name or alias ({@code gpt2-small}) or a repo id ({@code org/name}), optionally
 * with {@code @revision}, is taken from the Hugging Face cache that huggingface_hub fills (see {@link HubSettings})
 * without any request when it is there, and downloaded into it when it is not (unless offline).
 */
public final class ModelSources {
    /**
     * A model on the Hub: its repository, the name TransformerLens reports for it, and the revision written after
     * {@code @} (null when none was).
     */
    public record HubModel(RepoId repo, String modelName, String revision) {
        public String revisionOr(String fallback) {
            return revision != null ? revision : fallback;
        }
    }

    private ModelSources() {}

    public static Resolved resolve(String model) {
        return resolve(model, HubSettings.fromEnvironment());
    }

    public static Resolved resolve(String model, HubSettings hub) {
        return resolve(model, hub, Progress.NONE);
    }

    /**
     * Resolves {@code model}; a download reports its bytes to {@code progress}. The revision is the one after
     * {@code @} in {@code model}, else {@link HubSettings#revision()}.
     */
    public static Resolved resolve(String model, HubSettings hub, Progress progress) {
        if (model == null || model.isBlank()) throw new JlensException("--model is empty; give a model name (e.g. gpt2-small) or a folder");
        Path asPath;
        try {
            asPath = Path.of(model);
        } catch (InvalidPathException e) {
            throw new JlensException("model " + dev.jlens.util.PyRepr.str(model) + " is neither a known name, a repo id nor a folder (" + e.getReason() + ")");
        }
        if (Files.isDirectory(asPath)) return new Resolved(asPath, HookedTransformer.nameOfFolder(asPath));
        if (Files.exists(asPath)) {
            throw new JlensException("model path " + model + " is a file, not a folder (a Hugging Face model folder with config.json is expected)");
        }
        Optional<HubModel> found = hubModel(model);
        if (found.isEmpty()) {
            if (looksLikePath(model)) throw new JlensException("model folder " + model + " does not exist");
            ModelRegistry.require(model);  // throws, listing the known names
        }
        HubModel m = found.orElseThrow();
        try (ModelDownloader downloader = new ModelDownloader(hub)) {
            Path folder = downloader.resolve(m.repo(), m.revisionOr(hub.revision()), progress).folder();
            return new Resolved(folder, m.modelName());
        }
    }

    /**
     * {@code model} as a model on the Hub: a known name or alias, or a repo id, each optionally followed by
     * {@code @revision}; empty if it is neither.
     */
    public static Optional<HubModel> hubModel(String model) {
        String name = model;
        String revision = null;
        int at = model.lastIndexOf('@');
        if (at > 0) {
            name = model.substring(0, at);
            revision = model.substring(at + 1);
        }
        Optional<ModelRegistry.KnownModel> known = ModelRegistry.lookup(name);
        HubModel m;
        // TransformerLens names a model by its official name's last part (pythia-70m for EleutherAI/pythia-70m).
        if (known.isPresent()) m = new HubModel(RepoId.parse(known.get().repoId()),
                known.get().officialName().substring(known.get().officialName().lastIndexOf('/') + 1), revision);
        else if (RepoId.isRepoId(name)) m = new HubModel(RepoId.parse(name), name.substring(name.indexOf('/') + 1), revision);
        else return Optional.empty();
        if (revision != null) Revision.check(revision);
        if (revision != null && known.isPresent()) ModelRegistry.checkCheckpoint(known.get(), revision);
        return Optional.of(m);
    }

    /** As {@link #hubModel}, or a one-line error listing the known names. */
    public static HubModel requireHubModel(String model) {
        Optional<HubModel> found = hubModel(model);
        if (found.isEmpty()) {
            if (model.contains("/")) throw new JlensException("'" + model + "' is not a valid Hugging Face repo id (expected org/name, optionally @revision)");
            ModelRegistry.require(model);  // throws, listing the known names
        }
        return found.orElseThrow();
    }

    private static boolean looksLikePath(String s) {
        return s.contains("/") || s.contains("\\") || s.startsWith(".") || s.startsWith("~");
    }

    /**
     * {@code from_pretrained} with explicit Hub settings: {@code model} resolved as {@link #resolve} does (a download
     * reporting its bytes to {@code progress}), then loaded with these processing options.
     */
    public static HookedTransformer load(String model, WeightProcessing.Options options, HubSettings hub, Progress progress) {
        return load(model, options, hub, progress, JlensRuntime.defaults());
    }

    /** As {@link #load(String, WeightProcessing.Options, HubSettings, Progress)}, with explicit processed-weights cache settings. */
    public static HookedTransformer load(String model, WeightProcessing.Options options, HubSettings hub, Progress progress, CacheSettings cache) {
        return load(model, options, hub, progress, JlensRuntime.defaults().withCache(cache));
    }

    /** As {@link #load(String, WeightProcessing.Options, HubSettings, Progress)}, loading and running on {@code runtime}. */
    public static HookedTransformer load(String model, WeightProcessing.Options options, HubSettings hub, Progress progress, JlensRuntime runtime) {
        Resolved r = resolve(model, hub, progress);
        return HookedTransformer.fromFolder(r.folder(), r.modelName(), options, runtime);
    }
}
