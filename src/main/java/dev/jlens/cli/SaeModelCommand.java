package dev.jlens.cli;

import dev.jlens.sae.Sae;
import picocli.CommandLine.Option;

/** A model command about one SAE ({@code --sae}): {@code jlens sae features}, {@code jlens sae logit-effects}. */
abstract class SaeModelCommand extends ModelCommand {
    @Option(names = "--sae", required = true, paramLabel = "SAE",
            description = "A folder in SAELens' layout, REPO_ID/SUBFOLDER on the Hub, or RELEASE/SAE_ID (SAELens' pretrained names).")
    String source;

    /** The SAE of {@code --sae}, downloaded first if need be. */
    final Sae loadSae() {
        return SaeOption.load(streams(), source);
    }
}
