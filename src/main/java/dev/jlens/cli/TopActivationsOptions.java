package dev.jlens.cli;

import dev.jlens.JlensException;
import picocli.CommandLine.Option;

/** The options of {@code top-activations} besides the model and the corpus, declared once for the command line and jlens-spark's driver. */
public final class TopActivationsOptions {
    /** What the command does, as its help says (here and on Spark). */
    public static final String DESCRIPTION = "For every unit of a hook point (a neuron, an SAE feature with --sae), the top K activations over a corpus "
                + "(value, row, position, token, context) as a Parquet table, ordered by unit and rank.";

    @Option(names = "--hook", required = true, paramLabel = "HOOK",
            description = "A hook point with a value per position, e.g. blocks.0.mlp.hook_post, or blocks.0.hook_resid_pre.hook_sae_acts_post with --sae.")
    public String hook;

    @Option(names = "--k", paramLabel = "K", defaultValue = "10", description = "Top activations kept per unit (default ${DEFAULT-VALUE}).")
    public int k;

    @Option(names = "--out", required = true, paramLabel = "R.parquet", description = "The result table (written whole at the end).")
    public String out;

    /** Checks the options before anything is loaded. */
    public void check() {
        if (k < 1) throw new JlensException("--k must be 1 or more, got " + k);
    }

    /** The line a finished run prints. */
    public String summary(long tops, long rows) {
        return tops + " top activations (" + k + " per unit of " + hook + ", over " + rows + " rows) written to " + out;
    }
}
