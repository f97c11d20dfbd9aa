package dev.jlens.dataset;

import java.nio.file.Path;

/**
 * The documents of a text corpus, read one at a time: a text column (default {@code text}) of a JSON Lines, CSV or
 * Parquet file, or each line of a plain text file (.txt).
 */
public final class TextCorpus extends LookaheadRows<String> {
    public static final String DEFAULT_COLUMN = "text";
    private final Path file;
    private final String column;
    private final Rows<Record> records;

    private TextCorpus(Path file, String column) {
        this.file = file;
        this.column = column;
        this.records = TableFile.open(file);
    }

    public static TextCorpus open(Path file, String column) {
        return new TextCorpus(file, column == null ? DEFAULT_COLUMN : column);
    }

    @Override
    protected String read() {
        if (!records.hasNext()) return null;
        Record r = records.next();
        String where = file + ": " + r.where();
        if (!r.fields().containsKey(column)) {
            throw new BadRow(where + ": no \"" + column + "\" column (the row has: " + String.join(", ", r.fields().keySet()) + "); name the text column with --column");
        }
        if (!(r.get(column) instanceof String s)) throw new BadRow(where + ": \"" + column + "\" must be text, got " + Record.asText(r.get(column)));
        return s;
    }

    @Override
    public void close() {
        records.close();
    }
}
