package dev.jlens.hub;

import dev.jlens.JlensException;
import dev.jlens.sae.Sae;
import dev.jlens.util.Progress;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Turns what a user passes as {@code --sae} into a folder in SAELens' layout: an existing folder is used as is;
 * {@code REPO_ID/SUBFOLDER} (e.g. {@code jbloom/GPT2-Small-SAEs-Reformatted/blocks.8.hook_resid_pre}) names the
 * SAE's folder in a repository on the Hub, taken from the Hugging Face cache, downloaded into it when missing.
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
        throw new JlensException("SAE folder " + sae + " does not exist");
    }
}
