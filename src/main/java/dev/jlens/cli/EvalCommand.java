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
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;

/** {@code jlens eval}: TransformerLens' evaluations over a dataset. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a model on a dataset: next-token loss and accuracy on a text corpus, induction loss on repeated tokens, "
                + "logit difference and accuracy on prompts with answers (IOI).")
final class EvalCommand extends ModelCommand {
    /** As TransformerLens' ioi_eval: prompts of different lengths run together, padded on the right. */
    private static final int PROMPTS_PER_BATCH = 8;

    @Option(names = "--dataset", required = true, paramLabel = "C",
            description = "A text corpus (.txt, or a text column of .jsonl/.csv/.parquet), a tokens dataset (jlens dataset induction) or a prompt dataset.")
    Path dataset;

    @Option(names = "--column", paramLabel = "NAME", description = "The text column of a corpus (default text).")
    String column;

    @Option(names = "--context", paramLabel = "TOKENS", description = "Tokens per sequence of a corpus, BOS included (default: the model's n_ctx, at most 1024).")
    Integer context;

    @Option(names = "--max-sequences", paramLabel = "N", description = "Evaluate at most this many sequences or prompts.")
    Long maxRows;

    @Option(names = "--threads", paramLabel = "THREADS", description = "Rows evaluated at once (default: the number of cores).")
    Integer threads;

    @Option(names = "--no-bos", description = "No BOS token (before each sequence, or over the first token of repeated tokens).")
    boolean noBos;

    @Override
    public void run() {
        if (threads != null && threads < 1) throw new JlensException("--threads must be 1 or more, got " + threads);
        if (maxRows != null && maxRows < 1) throw new JlensException("--max-sequences must be 1 or more, got " + maxRows);
        DatasetKind kind = DatasetKind.of(dataset);
        HookedTransformer m = loadModel();
        int ctx = context != null ? context : Math.min(m.cfg().nCtx(), 1024);
        if (ctx < 2 || ctx > m.cfg().nCtx()) throw new JlensException("--context must be between 2 and the model's n_ctx " + m.cfg().nCtx() + ", got " + ctx);
        var o = streams().out();
        switch (kind) {
            case TEXT -> {
                try (TokenizeAndConcatenate rows = new TokenizeAndConcatenate(TextCorpus.open(dataset, column), m.tokenizer(), ctx, !noBos)) {
                    Evaluation.Sums s = run(Rows.map(rows, TokenRow::tokens), Evaluation.nextToken(m, 0), 1);
                    o.printf(Locale.ROOT, "loss %.6f  accuracy %.6f  (%d next tokens in sequences of %d)%n", s.mean(), s.accuracy(), s.items(), ctx);
                }
            }
            case TOKENS -> {
                try (Rows<int[]> rows = DatasetKind.tokenRows(dataset)) {
                    Evaluation.Sums s = run(rows, Evaluation.induction(m, !noBos), 1);
                    o.printf(Locale.ROOT, "induction_loss %.6f  (%d tokens of second halves)%n", s.mean(), s.items());
                }
            }
            case PROMPTS -> {
                try (PromptDataset rows = PromptDataset.open(dataset, false)) {
                    Evaluation.Sums s = run(rows, Evaluation.logitDiff(m, !noBos), PROMPTS_PER_BATCH);
                    o.printf(Locale.ROOT, "logit_diff %.6f  accuracy %.6f  (%d prompts)%n", s.mean(), s.accuracy(), s.items());
                }
            }
        }
        o.flush();
    }

    private <I> Evaluation.Sums run(Iterator<I> rows, BatchFunction<I, Evaluation.Sums> f, int batchSize) {
        Iterator<I> limited = maxRows == null ? rows : new Iterator<>() {
            long taken;

            @Override
            public boolean hasNext() {
                return taken < maxRows && rows.hasNext();
            }

            @Override
            public I next() {
                taken++;
                return rows.next();
            }
        };
        CollectingSink<Evaluation.Sums> sink = new CollectingSink<>();
        try (Parallel workers = Workers.of(threads); ProgressBar bar = ProgressBar.rows(streams(), "rows")) {
            new LocalRunner(workers, 64, batchSize, bar).run(limited, -1, f, sink);
        }
        if (sink.rows().isEmpty()) throw new JlensException(dataset + ": has nothing to evaluate (no rows, or no tokens)");
        return Evaluation.total(sink.rows());
    }
}
