package dev.jlens.cli;

import dev.jlens.JlensException;
import dev.jlens.dataset.LocalRunner;
import dev.jlens.dataset.ParquetTable;
import dev.jlens.dataset.Rows;
import dev.jlens.dataset.TokenRow;
import dev.jlens.dataset.TopActivations;
import dev.jlens.dataset.TopActivationsReducer;
import dev.jlens.model.HookedTransformer;
import dev.jlens.tensor.Parallel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code jlens top-activations}: each unit's top-activating contexts over a corpus, as a Parquet table. */
@Command(name = "top-activations", mixinStandardHelpOptions = true,
        description = "For every unit of a hook point (a neuron, an SAE feature with --sae), the top K activations over a corpus "
                + "(value, row, position, token, context) as a Parquet table, ordered by unit and rank.")
final class TopActivationsCommand extends ModelCommand {
    @Mixin
    CorpusOptions corpus;

    @Option(names = "--hook", required = true, paramLabel = "HOOK",
            description = "A hook point with a value per position, e.g. blocks.0.mlp.hook_post, or blocks.0.hook_resid_pre.hook_sae_acts_post with --sae.")
    String hook;

    @Option(names = "--k", paramLabel = "K", defaultValue = "10", description = "Top activations kept per unit (default ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--out", required = true, paramLabel = "R.parquet", description = "The result table (written whole at the end).")
    Path out;

    @Override
    public void run() {
        corpus.check();
        if (k < 1) throw new JlensException("--k must be 1 or more, got " + k);
        Inputs.output(out, corpus.inputs(streams(), model.model));
        if (Inputs.toStandardOutput(out)) throw new JlensException("--out -: a Parquet table must be written to a file");
        HookedTransformer m = corpus.withSaes(streams(), loadModel());
        if (!m.hookPoints().contains(hook)) {
            throw new JlensException("--hook: " + m.cfg().modelName() + " has no hook point \"" + hook + "\" (e.g. blocks.0.mlp.hook_post"
                    + (corpus.saes.isEmpty() ? "; an SAE's features need --sae" : "") + ")");
        }
        int ctx = corpus.context(m);
        TopActivationsReducer tops = new TopActivationsReducer(k);
        long rows;
        try (Rows<TokenRow> source = corpus.open(m, ctx); Parallel workers = Workers.of(corpus.threads);
             ProgressBar bar = ProgressBar.rows(streams(), "rows")) {
            rows = new LocalRunner(workers, 16 * corpus.batchSize, corpus.batchSize, bar).run(corpus.limited(source, ctx), -1, TopActivations.on(m, hook, k), tops);
        }
        if (rows == 0) throw new JlensException(corpus.dataset + ": has no tokens to run");
        ParquetTable.Written written = tops.writeTable(m.tokenizer(), out, corpus.describe("top-activations", m, ctx).put("hook", hook).put("k", dev.jlens.io.Json.Num.of(k)));
        streams().out().println(written.rows() + " top activations (" + k + " per unit of " + hook + ", over " + rows + " rows) written to " + out);
        streams().out().flush();
    }
}
