package dev.jlens.cli;

import dev.jlens.JlensException;
import dev.jlens.dataset.Rows;
import dev.jlens.dataset.TokenRow;
import dev.jlens.model.HookedTransformer;
import dev.jlens.sae.Sae;
import dev.jlens.viz.FeatureDashboard;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code jlens sae dashboard}: one feature's page over a corpus, as Neuronpedia shows a feature. */
@Command(name = "dashboard", mixinStandardHelpOptions = true,
        description = "Write one SAE feature's page (HTML) over a corpus: firing frequency, activation histogram, top examples with tokens "
                + "colored by activation, direct logit effects. Give exactly one --sae.")
final class SaeDashboardCommand extends ModelCommand {
    @Mixin
    CorpusOptions corpus;

    @Option(names = "--feature", required = true, paramLabel = "F", description = "The feature index.")
    int feature;

    @Option(names = "--k", paramLabel = "K", defaultValue = "10", description = "Top examples shown (default ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--out", required = true, paramLabel = "PAGE.html", description = "The page (written whole at the end).")
    Path out;

    @Override
    public void run() {
        corpus.check();
        if (corpus.saes.size() != 1) throw new JlensException("--sae: give exactly one SAE, got " + corpus.saes.size());
        if (k < 1) throw new JlensException("--k must be 1 or more, got " + k);
        Inputs.output(out, corpus.inputs(streams(), model.model));
        if (Inputs.toStandardOutput(out)) throw new JlensException("--out -: the page must be written to a file");
        Sae sae = SaeOption.load(streams(), corpus.saes.getFirst());
        sae.checkFeature(feature);
        HookedTransformer m = loadModel();
        dev.jlens.sae.Saes.withSaes(m, true, sae);  // refuses an SAE for another hook or width before the corpus runs
        int ctx = corpus.context(m);
        FeatureDashboard.Data data;
        try (Rows<TokenRow> rows = corpus.open(m, ctx)) {
            data = FeatureDashboard.collect(m, sae, feature, corpus.limited(rows, ctx), k);
        }
        if (data.positions() == 0) throw new JlensException(corpus.dataset + ": has no tokens to run");
        FeatureDashboard.page(m, sae, data).save(out);
        streams().out().println("feature " + feature + " of " + sae.hookName() + ": fires at " + data.firing() + " of " + data.positions()
                + " positions; page written to " + out);
    }
}
