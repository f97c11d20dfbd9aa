package dev.jlens.dataset;

import dev.jlens.JlensException;
import dev.jlens.io.Json;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** JSON Lines: one JSON object per line; blank lines are skipped. */
final class JsonLines extends LookaheadRows<Record> {
    private final Path file;
    private final TextReader in;

    JsonLines(Path file) {
        this.file = file;
        this.in = new TextReader(file);
    }

    @Override
    protected Record read() {
        String text;
        do {
            text = in.readLine();
            if (text == null) return null;
        } while (text.isBlank());
        String where = "line " + in.line();
        Json value;
        try {
            value = Json.parse(text, 32);
        } catch (Json.SyntaxError e) {
            throw new BadRow(file + ": " + where + ": not valid JSON (" + e.getMessage() + ")");
        }
        if (!(value instanceof Json.Obj obj)) throw new BadRow(file + ": " + where + ": must be a JSON object, got " + kind(value));
        Map<String, Object> fields = new LinkedHashMap<>();
        for (String name : obj.names()) fields.put(name, plain(obj.get(name)));
        return new Record(where, fields);
    }

    /** Strings stay strings, lists become lists, anything else its JSON text. */
    private static Object plain(Json v) {
        return switch (v) {
            case Json.Str s -> s.value();
            case Json.Null n -> null;
            case Json.Arr a -> {
                List<Object> out = new ArrayList<>();
                for (int i = 0; i < a.size(); i++) out.add(plain(a.get(i)));
                yield out;
            }
            default -> new Literal(v.toString());
        };
    }

    static String kind(Json v) {
        return switch (v) {
            case Json.Obj o -> "an object";
            case Json.Arr a -> "a list";
            case Json.Str s -> "a string";
            case Json.Num n -> "a number";
            case Json.Bool b -> "true or false";
            case Json.Null n -> "null";
        };
    }

    /** A JSON number, boolean or object, kept as its text. */
    record Literal(String text) {
        @Override
        public String toString() {
            return text;
        }
    }

    @Override
    public void close() {
        in.close();
    }
}
