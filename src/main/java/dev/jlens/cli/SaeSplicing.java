package dev.jlens.cli;

import dev.jlens.JlensException;
import dev.jlens.model.HookedTransformer;
import dev.jlens.sae.Saes;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** {@code --sae} (repeatable) and {@code --use-error-term}: SAEs spliced into the command's model, as SAELens' add_sae. */
final class SaeSplicing {
    @Option(names = "--sae", paramLabel = "SAE", description = "Splice in an SAE (a folder in SAELens' layout, REPO_ID/SUBFOLDER on the Hub or "
            + "RELEASE/SAE_ID); its hook points <hook>.hook_sae_* can then be named and are cached. Repeatable.")
    List<String> saes = new ArrayList<>();

    @Option(names = "--use-error-term", description = "Splice the SAEs in with their error terms: the model's outputs stay the plain model's.")
    boolean useErrorTerm;

    /** Checks the options before anything is loaded. */
    void check() {
        if (useErrorTerm && saes.isEmpty()) throw new JlensException("--use-error-term is for SAEs spliced in with --sae, and none is given");
    }

    /** The SAE folders an output must not replace. */
    List<Inputs.Input> inputs() {
        List<Inputs.Input> out = new ArrayList<>();
        for (String sae : saes) SaeOption.folder(sae).ifPresent(out::add);
        return out;
    }

    /** {@code m} with the SAEs spliced in (downloaded first if need be), or {@code m} itself without any. */
    HookedTransformer splice(Main.Streams streams, HookedTransformer m) {
        return saes.isEmpty() ? m : Saes.withSaes(m, useErrorTerm, SaeOption.loadAll(streams, saes));
    }
}
