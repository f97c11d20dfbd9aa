package dev.jlens.dataset;

import dev.jlens.JlensException;
import dev.jlens.io.Json;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A prompt dataset read row by row: JSON Lines, CSV or Parquet with the columns {@code prompt}, {@code answers} (a
 * list [correct, incorrect]; in CSV a JSON list in the cell) and optionally {@code corrupted_prompt}; any other
 * column is carried through. A bad row stops the reading with a message naming it, or, when bad rows are skipped,
 * is counted ({@link #skipped()}) and the reading goes on.
 */
public final class PromptDataset extends LookaheadRows<PromptRow> {
    public static final String PROMPT = "prompt", ANSWERS = "answers", CORRUPTED_PROMPT = "corrupted_prompt";
    private static final Set<String> KNOWN = Set.of(PROMPT, ANSWERS, CORRUPTED_PROMPT);

    private final Path file;
    private final Rows<Record> records;
    private final boolean skipBadRows;
    private long index;
    private long skipped;
    private String firstSkipped;

    private PromptDataset(Path file, boolean skipBadRows) {
        this.file = file;
        this.records = TableFile.open(file);
        this.skipBadRows = skipBadRows;
    }

    /** Opens {@code file}; nothing is read until the first row is asked for. */
    public static PromptDataset open(Path file, boolean skipBadRows) {
        return new PromptDataset(file, skipBadRows);
    }

    @Override
    protected PromptRow read() {
        while (true) {
            long i = index;
            try {
                if (!records.hasNext()) return null;
                index++;
                return row(i, records.next());
            } catch (BadRow e) {
                if (!skipBadRows) throw e;
                index = i + 1;
                if (skipped++ == 0) firstSkipped = e.getMessage();
            }
        }
    }

    /** Why the first bad row was skipped, or null. */
    public String firstSkipped() {
        return firstSkipped;
    }

    /** The bad rows skipped so far. */
    public long skipped() {
        return skipped;
    }

    private PromptRow row(long index, Record r) {
        String where = file + ": " + r.where();
        String prompt = text(where, r, PROMPT);
        if (!r.has(ANSWERS)) throw missing(where, r, ANSWERS);
        List<String> answers = answers(where, r.get(ANSWERS));
        String corrupted = null;
        if (r.has(CORRUPTED_PROMPT)) {
            corrupted = text(where, r, CORRUPTED_PROMPT);
            if (corrupted.isEmpty() && r.get(CORRUPTED_PROMPT) instanceof String && TableFile.of(file) == TableFile.CSV) corrupted = null;
        }
        Map<String, String> extra = new LinkedHashMap<>();
        for (Map.Entry<String, Object> f : r.fields().entrySet()) {
            if (!KNOWN.contains(f.getKey())) extra.put(f.getKey(), Record.asText(f.getValue()));
        }
        return new PromptRow(index, where, prompt, answers.get(0), answers.get(1), corrupted, extra);
    }

    private static String text(String where, Record r, String column) {
        if (!r.has(column)) throw missing(where, r, column);
        if (!(r.get(column) instanceof String s)) throw new BadRow(where + ": \"" + column + "\" must be text, got " + Record.asText(r.get(column)));
        return s;
    }

    private static BadRow missing(String where, Record r, String column) {
        return new BadRow(where + ": no \"" + column + "\" column (the row has: " + String.join(", ", r.fields().keySet()) + ")");
    }

    private static List<String> answers(String where, Object value) {
        Object v = value;
        if (v instanceof String cell) {
            try {
                v = Json.parse(cell, 4) instanceof Json.Arr a ? toList(a) : cell;
            } catch (Json.SyntaxError e) {
                v = cell;
            }
        }
        if (v instanceof List<?> list && list.size() == 2 && list.get(0) instanceof String && list.get(1) instanceof String) {
            return List.of((String) list.get(0), (String) list.get(1));
        }
        throw new BadRow(where + ": \"answers\" must be a list of two strings [correct, incorrect], got " + Record.asText(value));
    }

    private static List<Object> toList(Json.Arr a) {
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) out.add(a.get(i) instanceof Json.Str s ? s.value() : a.get(i).toString());
        return out;
    }

    @Override
    public void close() {
        records.close();
    }

    /** Counts a dataset's rows (bad ones included) by reading it through once, for a progress bar's total. */
    public static long count(Path file) {
        try (Rows<Record> r = TableFile.open(file)) {
            long n = 0;
            while (true) {
                try {
                    if (!r.hasNext()) return n;
                    r.next();
                } catch (BadRow e) {
                    // counted all the same
                }
                n++;
            }
        } catch (BadRow e) {
            throw new JlensException(e.getMessage());
        }
    }
}
