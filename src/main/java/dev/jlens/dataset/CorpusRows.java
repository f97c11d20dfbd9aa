package dev.jlens.dataset;

import dev.jlens.JlensException;
import dev.jlens.tokenizer.Tokenizer;

import java.nio.file.Path;

/** The rows of tokens a corpus job runs over: a text corpus tokenized and concatenated, or a tokens dataset as it is. */
public final class CorpusRows {
    private CorpusRows() {}

    /**
     * {@code dataset}'s rows: a text corpus ({@code column} of a table, or the lines of a .txt file) through
     * {@link TokenizeAndConcatenate} into rows of {@code context} tokens; a tokens dataset ({@code jlens dataset
     * induction}) row by row, each its own document.
     */
    public static Rows<TokenRow> open(Path dataset, String column, Tokenizer tokenizer, int context, boolean prependBos) {
        return switch (DatasetKind.of(dataset)) {
            case TEXT -> new TokenizeAndConcatenate(TextCorpus.open(dataset, column), tokenizer, context, prependBos);
            case TOKENS -> {
                Rows<int[]> rows = DatasetKind.tokenRows(dataset);
                yield new LookaheadRows<>() {
                    long row;

                    @Override
                    protected TokenRow read() {
                        if (!rows.hasNext()) return null;
                        long r = row++;
                        return new TokenRow(r, rows.next(), r, r);
                    }

                    @Override
                    public void close() {
                        rows.close();
                    }
                };
            }
            case PROMPTS -> throw new JlensException(dataset + ": is a prompt dataset (prompt, answers); give a text corpus or a tokens dataset");
        };
    }

    /**
     * The tokens per row for a model of context {@code nCtx}: {@code context}, by default n_ctx (at most 1024),
     * between 2 and n_ctx, and no more than {@code maxTokens} (null: no limit).
     */
    public static int context(Integer context, int nCtx, Long maxTokens) {
        int ctx = context != null ? context : Math.min(nCtx, 1024);
        if (ctx < 2 || ctx > nCtx) throw new JlensException("--context must be between 2 and the model's n_ctx " + nCtx + ", got " + ctx);
        if (maxTokens != null && maxTokens < ctx) throw new JlensException("--max-tokens " + maxTokens + " is less than one row of --context " + ctx + " tokens");
        return ctx;
    }

    /** The whole rows of {@code ctx} tokens that {@code maxTokens} allows (null: Long.MAX_VALUE, all). */
    public static long maxRows(Long maxTokens, int ctx) {
        return maxTokens == null ? Long.MAX_VALUE : maxTokens / ctx;
    }

    /** At most {@code limit} of {@code rows}. */
    public static <T> java.util.Iterator<T> first(java.util.Iterator<T> rows, long limit) {
        return new java.util.Iterator<>() {
            long taken;

            @Override
            public boolean hasNext() {
                return taken < limit && rows.hasNext();
            }

            @Override
            public T next() {
                taken++;
                return rows.next();
            }
        };
    }
}
