package dev.jlens.hub;

import dev.jlens.JlensException;
import dev.jlens.sae.Sae;
import dev.jlens.util.Progress;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Turns what a user passes as {@code --sae} into a folder in SAELens' layout: an existing folder is used as is;
 * {@code REPO_ID/SUBFOLDER} (e.g. {@code jbloom/GPT2-Small-SAEs-Reformatted/blocks.8.hook_resid_pre}) names the
 * SAE's folder in a repository on the Hub, and {@code RELEASE/SAE_ID} an SAE of one of SAELens' releases (see
 * {@link SaeRegistry}); both are taken from the Hugging Face cache, downloaded into it when missing.
 */
public final class SaeSources {
    private SaeSources() {
    }

    public static Sae load(String sae, HubSettings hub, Progress progress) {
        return Sae.load(resolve(sae, hub, progress));
    }

    public static Path resolve(String sae, HubSettings hub, Progress progress) {
        if (sae == null || sae.isBlank()) throw new JlensException("--sae is empty; give an SAE folder or REPO_ID/SUBFOLDER on the Hub");
        Path asPath;
        try {
            asPath = Path.of(sae);
        } catch (InvalidPathException e) {
            throw new JlensException("SAE " + dev.jlens.util.PyRepr.str(sae) + " is neither a folder nor REPO_ID/SUBFOLDER (" + e.getReason() + ")");
        }
        if (Files.isDirectory(asPath)) return asPath;
        if (Files.exists(asPath)) throw new JlensException("SAE path " + sae + " is a file, not a folder (an SAE folder holds cfg.json and sae_weights.safetensors)");
        Optional<HubSae> onHub = hubSae(sae);
        if (onHub.isEmpty()) throw new JlensException("SAE folder " + sae + " does not exist");
        HubSae h = onHub.get();
        try (ModelDownloader downloader = new ModelDownloader(hub)) {
            Path snapshot = downloader.resolveFolder(h.repo(), hub.revision(), h.folder(), List.of(Sae.CONFIG_FILE, Sae.WEIGHTS_FILE),
                    List.of(Sae.SPARSITY_FILE), progress).folder();
            return snapshot.resolve(h.folder());
        }
    }

    /** An SAE on the Hub: a repository and the folder in it that holds the SAE's files. */
    public record HubSae(RepoId repo, String folder) {}

    /**
     * {@code release/id} of a known release, or {@code org/name/folder...}, as an SAE on the Hub; empty when it is not of that form (no folder, or the first two
     * parts are not a repo id, or a folder part is {@code .}, {@code ..} or empty).
     */
    public static Optional<HubSae> hubSae(String sae) {
        Optional<SaeRegistry.KnownSae> known = SaeRegistry.lookup(sae);
        if (known.isPresent()) return Optional.of(new HubSae(RepoId.parse(known.get().repoId()), known.get().folder()));
        String[] parts = sae.split("/", -1);
        if (parts.length < 3 || sae.startsWith("/") || sae.startsWith(".")) return Optional.empty();
        String repo = parts[0] + "/" + parts[1];
        if (!RepoId.isRepoId(repo)) return Optional.empty();
        for (int i = 2; i < parts.length; i++) {
            if (parts[i].isEmpty() || parts[i].equals(".") || parts[i].equals("..") || parts[i].contains("\\")) return Optional.empty();
        }
        return Optional.of(new HubSae(RepoId.parse(repo), sae.substring(repo.length() + 1)));
    }
}
