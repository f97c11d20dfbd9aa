package dev.jlens.cli;

import dev.jlens.hub.HubSettings;
import dev.jlens.hub.SaeSources;
import dev.jlens.sae.Sae;

import java.util.ArrayList;
import java.util.List;

/** Loads what {@code --sae} (or the {@code SAE} parameter) names: a folder in SAELens' layout or REPO_ID/SUBFOLDER on the Hub. */
final class SaeOption {
    private SaeOption() {
    }

    static Sae load(Main.Streams streams, String sae) {
        try (ProgressBar bar = ProgressBar.forStreams(streams, sae)) {
            return SaeSources.load(sae, HubSettings.fromEnvironment(streams.env()), bar);
        }
    }

    /** The folder an SAE is read from, when it names a local one: an output must not replace its files. */
    static java.util.Optional<Inputs.Input> folder(String sae) {
        try {
            java.nio.file.Path p = java.nio.file.Path.of(sae);
            return java.nio.file.Files.isDirectory(p) ? java.util.Optional.of(new Inputs.Input("the SAE folder " + sae, p)) : java.util.Optional.empty();
        } catch (RuntimeException e) {
            return java.util.Optional.empty();  // not a path: loading it says what is wrong
        }
    }

    static List<Sae> loadAll(Main.Streams streams, List<String> saes) {
        List<Sae> out = new ArrayList<>();
        for (String s : saes) out.add(load(streams, s));
        return out;
    }
}
