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

import java.nio.file.Path;

/** {@code jlens top-activations}: each unit's top-activating contexts over a corpus, as a Parquet table. */
@Command(name = "top-activations", mixinStandardHelpOptions = true,
        description = TopActivationsOptions.DESCRIPTION)
final class TopActivationsCommand extends ModelCommand {
    @Mixin
    CorpusOptions corpus;

    @Mixin
    TopActivationsOptions job;

    @Override
    public void run() {
        corpus.check();
        job.check();
        Path out = Path.of(job.out);
        Inputs.output(out, corpus.inputs(streams(), model.model));
        if (Inputs.toStandardOutput(out)) throw new JlensException("--out -: a Parquet table must be written to a file");
        HookedTransformer m = corpus.withSaes(streams(), loadModel());
        TopActivations.checkHook(job.hook, m.cfg().modelName(), m.hookPoints(), !corpus.saes.isEmpty());
        int ctx = corpus.context(m);
        TopActivationsReducer tops = new TopActivationsReducer(job.k);
        long rows;
        try (Rows<TokenRow> source = corpus.open(m, ctx); Parallel workers = Workers.of(corpus.threads);
             ProgressBar bar = ProgressBar.rows(streams(), "rows")) {
            rows = new LocalRunner(workers, TopActivationsReducer.rowsPerShard(corpus.batchSize), corpus.batchSize, bar).run(corpus.limited(source, ctx), -1, TopActivations.on(m, job.hook, job.k), tops);
        }
        if (rows == 0) throw new JlensException(corpus.dataset + ": has no tokens to run");
        ParquetTable.Written written = tops.writeTable(m.tokenizer(), out, corpus.describe("top-activations", m, ctx).put("hook", job.hook).put("k", dev.jlens.io.Json.Num.of(job.k)));
        streams().out().println(job.summary(written.rows(), rows));
        streams().out().flush();
    }
}
