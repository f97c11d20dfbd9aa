package dev.jlens.dataset;

import java.nio.file.Path;
import java.util.Map;

/** A plain text file: each line is one record with the column {@code text}, as Hugging Face's text loader reads it. */
final class TextLines extends LookaheadRows<Record> {
    private final TextReader in;

    TextLines(Path file) {
        this.in = new TextReader(file);
    }

    @Override
    protected Record read() {
        String text = in.readLine();
        return text == null ? null : new Record("line " + in.line(), Map.of("text", text));
    }

    @Override
    public void close() {
        in.close();
    }
}
