package dev.jlens.dataset;

import java.nio.file.Path;

/** What a dataset holds, told by its first row's columns: token rows, prompts with answers, or text. */
public enum DatasetKind {
    /** A {@code tokens} column ({@code jlens dataset induction}). */
    TOKENS,
    /** {@code prompt} and {@code answers} columns. */
    PROMPTS,
    /** Documents in a text column, or a plain text file. */
    TEXT;

    public static DatasetKind of(Path file) {
        if (TableFile.of(file) == TableFile.TEXT) return TEXT;
        try (Rows<Record> rows = TableFile.open(file)) {
            if (!rows.hasNext()) return TEXT;
            Record first = rows.next();
            if (first.has(InductionDataset.TOKENS)) return TOKENS;
            if (first.has(PromptDataset.PROMPT) && first.has(PromptDataset.ANSWERS)) return PROMPTS;
            return TEXT;
        }
    }

    /** The rows of a token dataset: each row's {@code tokens} list. */
    public static Rows<int[]> tokenRows(Path file) {
        Rows<Record> records = TableFile.open(file);
        return new LookaheadRows<>() {
            @Override
            protected int[] read() {
                if (!records.hasNext()) return null;
                Record r = records.next();
                String where = file + ": " + r.where();
                if (!(r.get(InductionDataset.TOKENS) instanceof java.util.List<?> list) || list.isEmpty()) {
                    throw new BadRow(where + ": \"tokens\" must be a non-empty list of token ids");
                }
                int[] out = new int[list.size()];
                for (int i = 0; i < out.length; i++) {
                    try {
                        out[i] = Integer.parseInt(String.valueOf(list.get(i)));
                    } catch (NumberFormatException e) {
                        throw new BadRow(where + ": \"tokens\"[" + i + "] is not a token id: " + Record.asText(list.get(i)));
                    }
                }
                return out;
            }

            @Override
            public void close() {
                records.close();
            }
        };
    }
}
