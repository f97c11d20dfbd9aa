package dev.jlens.dataset;

import dev.jlens.tensor.IntTensor;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * One row of a tokenized corpus ({@link TokenizeAndConcatenate}): its index among the rows, its tokens, and the
 * corpus rows (documents, counted from 0) its tokens come from, first to last.
 */
public record TokenRow(long row, int[] tokens, long firstDocument, long lastDocument) implements Serializable {
    /** A batch cut where the length changes: each run of rows of one length is one forward pass. */
    static List<List<TokenRow>> runsOfOneLength(List<TokenRow> batch) {
        List<List<TokenRow>> runs = new ArrayList<>();
        for (int start = 0; start < batch.size(); ) {
            int end = start + 1;
            while (end < batch.size() && batch.get(end).tokens().length == batch.get(start).tokens().length) end++;
            runs.add(batch.subList(start, end));
            start = end;
        }
        return runs;
    }

    /** Rows of one length as a {@code [rows, positions]} batch of tokens. */
    static IntTensor stack(List<TokenRow> rows) {
        int[][] tokens = new int[rows.size()][];
        for (int b = 0; b < tokens.length; b++) tokens[b] = rows.get(b).tokens();
        return IntTensor.of(tokens);
    }
}
