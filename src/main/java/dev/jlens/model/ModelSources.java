package dev.jlens.model;

import dev.jlens.JlensException;
import dev.jlens.hub.HubSettings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Turns what a user passes as {@code --model} into a local folder in the Hugging Face layout: an existing
 * folder is used as is; a known name or alias ({@code gpt2-small}) or a repo id ({@code org/name}) is looked
 * up in the Hugging Face cache that huggingface_hub fills (see {@link HubSettings}).
 */
public final class ModelSources {
    private static final Pattern REPO_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*");

    /** A folder to load and the model name TransformerLens would report (the official name, or the folder's name). */
    public record Resolved(Path folder, String modelName) {}

    private ModelSources() {}

    public static Resolved resolve(String model) {
        return resolve(model, HubSettings.fromEnvironment());
    }

    public static Resolved resolve(String model, HubSettings hub) {
        if (model == null || model.isBlank()) throw new JlensException("--model is empty; give a model name (e.g. gpt2-small) or a folder");
        Path asPath = Path.of(model);
        if (Files.isDirectory(asPath)) return new Resolved(asPath, nameOfFolder(asPath));
        Optional<ModelRegistry.KnownModel> known = ModelRegistry.lookup(model);
        String repoId;
        String name;
        if (known.isPresent()) {
            repoId = known.get().repoId();
            name = known.get().officialName();
        } else if (REPO_ID.matcher(model).matches()) {
            repoId = model;
            name = model.substring(model.lastIndexOf('/') + 1);
        } else if (looksLikePath(model)) {
            throw new JlensException("model folder " + model + " does not exist");
        } else {
            ModelRegistry.require(model);  // throws, listing the known names
            throw new AssertionError();
        }
        Path snapshot = cachedSnapshot(hub.cacheDir(), repoId).orElseThrow(() -> new JlensException(
                "model '" + model + "' (" + repoId + ") is not in the Hugging Face cache at " + hub.cacheDir()
                        + "; download it first (jlens download " + model + ") or pass a local folder"));
        return new Resolved(snapshot, name);
    }

    private static boolean looksLikePath(String s) {
        return s.contains("/") || s.contains("\\") || s.startsWith(".") || s.startsWith("~");
    }

    public static String nameOfFolder(Path folder) {
        Path name = folder.toAbsolutePath().normalize().getFileName();
        return name == null ? folder.toString() : name.toString();
    }

    /** The snapshot folder of {@code refs/main} of a cached repo, if it holds a config.json. */
    static Optional<Path> cachedSnapshot(Path hubCache, String repoId) {
        Path repo = hubCache.resolve("models--" + repoId.replace("/", "--"));
        try {
            Path ref = repo.resolve("refs").resolve("main");
            if (!Files.isRegularFile(ref)) return Optional.empty();
            String commit = Files.readString(ref).strip();
            if (!commit.matches("[0-9a-fA-F]{7,64}")) return Optional.empty();
            Path snapshot = repo.resolve("snapshots").resolve(commit);
            return Files.isRegularFile(snapshot.resolve("config.json")) ? Optional.of(snapshot) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
