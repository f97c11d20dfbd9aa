package dev.jlens.cli;

import dev.jlens.JlensException;
import dev.jlens.dataset.BatchFunction;
import dev.jlens.dataset.CollectingSink;
import dev.jlens.dataset.DatasetKind;
import dev.jlens.dataset.Evaluation;
import dev.jlens.dataset.LocalRunner;
import dev.jlens.dataset.PromptDataset;
import dev.jlens.dataset.Rows;
import dev.jlens.dataset.TextCorpus;
import dev.jlens.dataset.TokenRow;
import dev.jlens.dataset.TokenizeAndConcatenate;
import dev.jlens.model.HookedTransformer;
import dev.jlens.tensor.Parallel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;

/** {@code jlens eval}: TransformerLens' evaluations over a dataset. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = EvalOptions.DESCRIPTION)
final class EvalCommand extends ModelCommand {
    /** As TransformerLens' ioi_eval: prompts of different lengths run together, padded on the right. */
    private static final int PROMPTS_PER_BATCH = 8;

    @Mixin
    EvalOptions job;

    @Override
    public void run() {
        job.check();
        Path dataset = Path.of(job.dataset);
        DatasetKind kind = DatasetKind.of(dataset);
        HookedTransformer m = loadModel();
        int ctx = job.context != null ? job.context : Math.min(m.cfg().nCtx(), 1024);
        if (ctx < 2 || ctx > m.cfg().nCtx()) throw new JlensException("--context must be between 2 and the model's n_ctx " + m.cfg().nCtx() + ", got " + ctx);
        var o = streams().out();
        switch (kind) {
            case TEXT -> {
                try (TokenizeAndConcatenate rows = new TokenizeAndConcatenate(TextCorpus.open(dataset, job.column), m.tokenizer(), ctx, !job.noBos)) {
                    Evaluation.Sums s = run(Rows.map(rows, TokenRow::tokens), Evaluation.nextToken(m, 0), 1);
                    o.printf(Locale.ROOT, "loss %.6f  accuracy %.6f  (%d next tokens in sequences of %d)%n", s.mean(), s.accuracy(), s.items(), ctx);
                }
            }
            case TOKENS -> {
                try (Rows<int[]> rows = DatasetKind.tokenRows(dataset)) {
                    Evaluation.Sums s = run(rows, Evaluation.induction(m, !job.noBos), 1);
                    o.printf(Locale.ROOT, "induction_loss %.6f  (%d tokens of second halves)%n", s.mean(), s.items());
                }
            }
            case PROMPTS -> {
                try (PromptDataset rows = PromptDataset.open(dataset, false)) {
                    Evaluation.Sums s = run(rows, Evaluation.logitDiff(m, !job.noBos), PROMPTS_PER_BATCH);
                    o.printf(Locale.ROOT, "logit_diff %.6f  accuracy %.6f  (%d prompts)%n", s.mean(), s.accuracy(), s.items());
                }
            }
        }
        o.flush();
    }

    private <I> Evaluation.Sums run(Iterator<I> rows, BatchFunction<I, Evaluation.Sums> f, int batchSize) {
        Iterator<I> limited = job.maxRows == null ? rows : new Iterator<>() {
            long taken;

            @Override
            public boolean hasNext() {
                return taken < job.maxRows && rows.hasNext();
            }

            @Override
            public I next() {
                taken++;
                return rows.next();
            }
        };
        CollectingSink<Evaluation.Sums> sink = new CollectingSink<>();
        try (Parallel workers = Workers.of(job.threads); ProgressBar bar = ProgressBar.rows(streams(), "rows")) {
            new LocalRunner(workers, 64, batchSize, bar).run(limited, -1, f, sink);
        }
        if (sink.rows().isEmpty()) throw new JlensException(job.dataset + ": has nothing to evaluate (no rows, or no tokens)");
        return Evaluation.total(sink.rows());
    }
}
