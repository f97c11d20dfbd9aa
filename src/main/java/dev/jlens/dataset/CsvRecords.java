package dev.jlens.dataset;

import dev.jlens.JlensException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CSV as RFC 4180 writes it (pandas' {@code to_csv} too): a header row of column names, fields separated by commas,
 * a field in double quotes may hold commas, line breaks and doubled quotes. Each record is named by the line it
 * starts on. An empty field is the empty string; the {@code answers} field holds a JSON list.
 */
final class CsvRecords extends LookaheadRows<Record> {
    private final Path file;
    private final TextReader in;
    private final List<String> header;

    CsvRecords(Path file) {
        this.file = file;
        this.in = new TextReader(file);
        List<String> names = fields();
        if (names == null) throw new JlensException(file + ": is empty; a CSV dataset starts with a header row of column names");
        for (int i = 0; i < names.size(); i++) {
            if (names.indexOf(names.get(i)) != i) throw new JlensException(file + ": line 1: column \"" + names.get(i) + "\" is named twice");
        }
        header = names;
    }

    @Override
    protected Record read() {
        List<String> values;
        int start;
        do {
            start = in.line() + 1;
            values = fields();
            if (values == null) return null;
        } while (values.size() == 1 && values.getFirst().isEmpty());
        String where = "line " + start;
        if (values.size() != header.size()) {
            throw new BadRow(file + ": " + where + ": " + values.size() + " fields but the header has " + header.size());
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        for (int i = 0; i < header.size(); i++) fields.put(header.get(i), values.get(i));
        return new Record(where, fields);
    }

    /** The fields of the next record (which may span lines inside quotes), or null at the end. */
    private List<String> fields() {
        String line = in.readLine();
        if (line == null) return null;
        int start = in.line();
        List<String> out = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false, wasQuoted = false;
        int i = 0;
        while (true) {
            if (i == line.length()) {
                if (!quoted) break;
                line = in.readLine();
                if (line == null) throw new JlensException(file + ": line " + start + ": a quoted field is not closed before the end of the file");
                field.append('\n');
                i = 0;
                continue;
            }
            char c = line.charAt(i++);
            if (quoted) {
                if (c != '"') field.append(c);
                else if (i < line.length() && line.charAt(i) == '"') {
                    field.append('"');
                    i++;
                } else quoted = false;
            } else if (c == ',') {
                out.add(field.toString());
                field.setLength(0);
                wasQuoted = false;
            } else if (c == '"' && field.isEmpty() && !wasQuoted) {
                quoted = wasQuoted = true;
            } else if (wasQuoted) {
                throw new BadRow(file + ": line " + in.line() + ": text after a closing quote (a quote inside a quoted field is written \"\")");
            } else {
                field.append(c);
            }
        }
        out.add(field.toString());
        return out;
    }

    @Override
    public void close() {
        in.close();
    }
}
