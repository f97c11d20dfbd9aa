package dev.jlens.cli;

import dev.jlens.JlensException;
import picocli.CommandLine.Option;

/** The options of {@code eval} besides the model, declared once for the command line and jlens-spark's driver. */
public final class EvalOptions {
    /** What the command does, as its help says (here and on Spark). */
    public static final String DESCRIPTION = "Evaluate a model on a dataset: next-token loss and accuracy on a text corpus, induction loss on repeated tokens, "
                + "logit difference and accuracy on prompts with answers (IOI).";

    @Option(names = "--dataset", required = true, paramLabel = "C",
            description = "A text corpus (.txt, or a text column of .jsonl/.csv/.parquet), a tokens dataset (jlens dataset induction) or a prompt dataset.")
    public String dataset;

    @Option(names = "--column", paramLabel = "NAME", description = "The text column of a corpus (default text).")
    public String column;

    @Option(names = "--context", paramLabel = "TOKENS", description = "Tokens per sequence of a corpus, BOS included (default: the model's n_ctx, at most 1024).")
    public Integer context;

    @Option(names = "--max-sequences", paramLabel = "N", description = "Evaluate at most this many sequences or prompts.")
    public Long maxRows;

    @Option(names = "--threads", paramLabel = "THREADS", description = "Rows evaluated at once (default: the number of cores).")
    public Integer threads;

    @Option(names = "--no-bos", description = "No BOS token (before each sequence, or over the first token of repeated tokens).")
    public boolean noBos;

    /** Checks the numbers before anything is loaded. */
    public void check() {
        if (threads != null && threads < 1) throw new JlensException("--threads must be 1 or more, got " + threads);
        if (maxRows != null && maxRows < 1) throw new JlensException("--max-sequences must be 1 or more, got " + maxRows);
    }
}
