package dev.jlens.dataset;

import dev.jlens.tokenizer.Tokenizer;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Iterator;

/**
 * TransformerLens' {@code tokenize_and_concatenate} over a corpus read one document at a time: documents are taken
 * in groups of 1,000 (the {@code datasets} map's batch), each group's documents tokenized and joined with the EOS
 * token between them, cut into rows of {@code maxLength - 1} tokens (the remainder dropped; a group shorter than
 * one row padded with EOS) and BOS put before each row. Memory holds one group. Each row says which documents its
 * tokens come from.
 */
public final class TokenizeAndConcatenate extends LookaheadRows<TokenRow> {
    public static final int DOCUMENTS_PER_GROUP = 1000;
    private final Iterator<String> documents;
    private final AutoCloseable source;
    private final Tokenizer tokenizer;
    private final int seqLen;
    private final boolean addBos;
    private final Deque<TokenRow> ready = new ArrayDeque<>();
    private long documentsRead, rowsMade;

    public TokenizeAndConcatenate(TextCorpus corpus, Tokenizer tokenizer, int maxLength, boolean addBos) {
        this(corpus, corpus, tokenizer, maxLength, addBos);
    }

    /**
     * Over documents from elsewhere (another engine's share of a corpus: a group of {@link #DOCUMENTS_PER_GROUP}
     * documents gives the same rows wherever it is tokenized); closing closes {@code source}.
     */
    public TokenizeAndConcatenate(Iterator<String> documents, AutoCloseable source, Tokenizer tokenizer, int maxLength, boolean addBos) {
        this.documents = documents;
        this.source = source;
        this.tokenizer = tokenizer;
        this.addBos = addBos;
        this.seqLen = addBos ? maxLength - 1 : maxLength;
        if (seqLen < 1) throw new IllegalArgumentException("a context of " + maxLength + " leaves no room for tokens");
    }

    @Override
    protected TokenRow read() {
        while (ready.isEmpty() && documents.hasNext()) group();
        return ready.poll();
    }

    private void group() {
        int[] tokens = new int[1024];
        long[] document = new long[1024];  // the document each token comes from (an EOS between two: the later)
        int n = 0;
        for (int d = 0; d < DOCUMENTS_PER_GROUP && documents.hasNext(); d++) {
            int[] doc = tokenizer.encode(documents.next());
            long index = documentsRead++;
            int extra = d > 0 ? 1 : 0;
            if (n + doc.length + extra > tokens.length) {
                int size = Math.max(2 * tokens.length, n + doc.length + extra);
                tokens = Arrays.copyOf(tokens, size);
                document = Arrays.copyOf(document, size);
            }
            if (d > 0) {
                document[n] = index;
                tokens[n++] = tokenizer.eosId();
            }
            System.arraycopy(doc, 0, tokens, n, doc.length);
            Arrays.fill(document, n, n + doc.length, index);
            n += doc.length;
        }
        if (n == 0) return;
        int rows = Math.max(1, n / seqLen);
        for (int r = 0; r < rows; r++) {
            int[] row = new int[seqLen + (addBos ? 1 : 0)];
            int at = 0;
            if (addBos) row[at++] = tokenizer.bosId();
            for (int i = 0; i < seqLen; i++) {
                int src = r * seqLen + i;
                row[at++] = src < n ? tokens[src] : tokenizer.eosId();
            }
            int first = r * seqLen, last = Math.min(n, (r + 1) * seqLen) - 1;
            ready.add(new TokenRow(rowsMade++, row, document[first], document[last]));
        }
    }

    @Override
    public void close() {
        try {
            source.close();
        } catch (Exception e) {
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
    }
}
