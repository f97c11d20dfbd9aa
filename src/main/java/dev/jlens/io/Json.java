package dev.jlens.io;

import dev.jlens.JlensException;
import dev.jlens.util.Text;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON values for jlens' own small files: experiment files, config.json, weights-cache headers and result
 * JSON. Read strictly (RFC 8259 only, no duplicate keys, bounded nesting, nothing after the value) and
 * written compactly, numbers and strings as Jackson writes them, so results read the same either way.
 *
 * <p>Jackson stays for the large files (vocab.json, tokenizer.json) and the web API; on the path of a
 * command-line analysis this replaced it because making its first object mapper cost a cold JVM about 0.2 s,
 * a tenth of the whole run.
 */
public sealed interface Json permits Json.Obj, Json.Arr, Json.Str, Json.Num, Json.Bool, Json.Null {

    /** Parses a whole text; throws {@link SyntaxError} at the first thing that is not strict JSON. */
    static Json parse(String text, int maxDepth) {
        return new Reader(text, maxDepth).document();
    }

    /** Parses the text of a file or request named {@code source}, refusing what is not strict JSON with one line. */
    static Json parse(String source, String text, int maxDepth) {
        try {
            return parse(text, maxDepth);
        } catch (SyntaxError e) {
            throw new JlensException(source + ": not valid JSON (" + e.getMessage() + ")");
        }
    }

    /** The value as compact JSON text. */
    String toString();

    /**
     * A value's JSON text for a one-line message: control characters and line separators escaped, cut after 80
     * characters; a missing value ({@code null}) is {@code null}.
     */
    static String brief(Json value) {
        String s = Text.escapeControls(String.valueOf(value));
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }

    /** A string as {@link #brief(Json)} shows it: in double quotes with JSON's escapes. */
    static String brief(String s) {
        return brief(new Str(s));
    }

    /** An object: fields in the order read or put. */
    final class Obj implements Json {
        private final Map<String, Json> fields = new LinkedHashMap<>();

        public Json get(String name) {
            return fields.get(name);
        }

        public boolean has(String name) {
            return fields.containsKey(name);
        }

        public Iterable<String> names() {
            return Collections.unmodifiableSet(fields.keySet());
        }

        public Obj put(String name, Json value) {
            fields.put(name, value);
            return this;
        }

        public Obj put(String name, String value) {
            return put(name, new Str(value));
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder("{");
            for (Map.Entry<String, Json> e : fields.entrySet()) {
                if (b.length() > 1) b.append(',');
                Str.quote(e.getKey(), b);
                b.append(':').append(e.getValue());
            }
            return b.append('}').toString();
        }
    }

    /** An array. */
    final class Arr implements Json {
        private final List<Json> items = new ArrayList<>();

        public int size() {
            return items.size();
        }

        public Json get(int i) {
            return items.get(i);
        }

        public Arr add(Json value) {
            items.add(value);
            return this;
        }

        public static Arr ofStrings(List<String> values) {
            Arr a = new Arr();
            for (String v : values) a.add(new Str(v));
            return a;
        }

        public static Arr ofInts(int[] values) {
            Arr a = new Arr();
            for (int v : values) a.add(Num.of(v));
            return a;
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder("[");
            for (int i = 0; i < items.size(); i++) b.append(i > 0 ? "," : "").append(items.get(i));
            return b.append(']').toString();
        }
    }

    record Str(String value) implements Json {
        @Override
        public String toString() {
            StringBuilder b = new StringBuilder();
            quote(value, b);
            return b.toString();
        }

        /** Escapes what JSON requires ({@code "}, {@code \}, control characters), as Jackson does; all else as is. */
        static void quote(String s, StringBuilder b) {
            quote(s, false, b);
        }

        /**
         * Appends {@code s} as a JSON string. {@code scriptSafe} also escapes {@code <}, {@code >}, {@code &}, the
         * JavaScript line separators and unpaired surrogates (as U+FFFD), so the text can sit inside an HTML
         * {@code <script>} element: no string can close it.
         */
        public static void quote(String s, boolean scriptSafe, StringBuilder b) {
            b.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> b.append("\\\"");
                    case '\\' -> b.append("\\\\");
                    case '\n' -> b.append("\\n");
                    case '\r' -> b.append("\\r");
                    case '\t' -> b.append("\\t");
                    case '\b' -> b.append(scriptSafe ? "\\u0008" : "\\b");
                    case '\f' -> b.append(scriptSafe ? "\\u000c" : "\\f");
                    default -> {
                        if (c < 0x20) b.append(String.format(scriptSafe ? "\\u%04x" : "\\u%04X", (int) c));
                        else if (scriptSafe && (c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029')) b.append(String.format("\\u%04x", (int) c));
                        else if (scriptSafe && unpairedSurrogate(s, i)) b.append("\\ufffd");
                        else b.append(c);
                    }
                }
            }
            b.append('"');
        }

        private static boolean unpairedSurrogate(String s, int i) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) return !(i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1)));
            if (Character.isLowSurrogate(c)) return !(i > 0 && Character.isHighSurrogate(s.charAt(i - 1)));
            return false;
        }
    }

    /** A number, kept as its literal text: integers stay exact however long. */
    record Num(String text) implements Json {
        public static Num of(long v) {
            return new Num(Long.toString(v));
        }

        /**
         * A float as its shortest decimal ({@link Float#toString}); NaN and infinities are not JSON numbers and
         * become the strings "NaN", "Infinity" and "-Infinity", as Jackson writes them.
         */
        public static Json of(float v) {
            return Float.isFinite(v) ? new Num(Float.toString(v)) : new Str(Float.toString(v));
        }

        public boolean isIntegral() {
            return text.indexOf('.') < 0 && text.indexOf('e') < 0 && text.indexOf('E') < 0;
        }

        /** True when integral and within a long. */
        public boolean fitsLong() {
            if (!isIntegral()) return false;
            try {
                Long.parseLong(text);
                return true;
            } catch (NumberFormatException e) {
                return false;
            }
        }

        public long asLong() {
            return Long.parseLong(text);
        }

        public double asDouble() {
            return Double.parseDouble(text);  // correctly rounded; an exponent beyond double gives 0 or infinity
        }

        @Override
        public String toString() {
            return text;
        }
    }

    record Bool(boolean value) implements Json {
        @Override
        public String toString() {
            return Boolean.toString(value);
        }
    }

    enum Null implements Json {
        NULL;

        @Override
        public String toString() {
            return "null";
        }
    }

    /** Text that is not strict JSON; the message says what and where (line and column, from 1). */
    final class SyntaxError extends RuntimeException {
        SyntaxError(String message) {
            super(message);
        }
    }

    /** A recursive-descent reader; recursion is bounded by {@code maxDepth}. */
    final class Reader {
        private final String s;
        private final int maxDepth;
        private int at, depth;

        private Reader(String s, int maxDepth) {
            this.s = s;
            this.maxDepth = maxDepth;
        }

        Json document() {
            skipSpace();
            if (at == s.length()) throw error("No content to map due to end-of-input");
            Json v = value();
            skipSpace();
            if (at < s.length()) throw error("Trailing token (" + describe() + ") after the JSON value");
            return v;
        }

        private Json value() {
            if (at == s.length()) throw error("Unexpected end-of-input: expected a value");
            char c = s.charAt(at);
            return switch (c) {
                case '{' -> object();
                case '[' -> array();
                case '"' -> new Str(string());
                case 't' -> literal("true", new Bool(true));
                case 'f' -> literal("false", new Bool(false));
                case 'n' -> literal("null", Null.NULL);
                default -> {
                    if (c == '-' || (c >= '0' && c <= '9')) yield number();
                    throw error("Unexpected character (" + describe() + "): expected a value");
                }
            };
        }

        private void enter() {
            if (++depth > maxDepth) {
                throw error("Document nesting depth (" + depth + ") exceeds the maximum allowed (" + maxDepth + ")");
            }
        }

        private Obj object() {
            enter();
            Obj o = new Obj();
            at++;
            skipSpace();
            if (peek() == '}') {
                at++;
                depth--;
                return o;
            }
            while (true) {
                skipSpace();
                if (peek() != '"') throw error(at == s.length() ? "Unexpected end-of-input within/between Object entries"
                        : "Unexpected character (" + describe() + "): expected a double-quoted property name");
                String name = string();
                if (o.has(name)) throw error("Duplicate Object property " + shortQuoted(name));
                skipSpace();
                expect(':', "Object entries");
                skipSpace();
                if (at == s.length()) throw error("Unexpected end-of-input within/between Object entries");
                o.put(name, value());
                skipSpace();
                char c = peek();
                at++;
                if (c == '}') break;
                if (c != ',') throw unexpected(c, "Object entries", "',' or '}'");
            }
            depth--;
            return o;
        }

        private Arr array() {
            enter();
            Arr a = new Arr();
            at++;
            skipSpace();
            if (peek() == ']') {
                at++;
                depth--;
                return a;
            }
            while (true) {
                skipSpace();
                if (at == s.length()) throw error("Unexpected end-of-input within/between Array entries");
                a.add(value());
                skipSpace();
                char c = peek();
                at++;
                if (c == ']') break;
                if (c != ',') throw unexpected(c, "Array entries", "',' or ']'");
            }
            depth--;
            return a;
        }

        private String string() {
            at++;  // the opening quote
            StringBuilder b = null;
            int start = at;
            while (true) {
                if (at >= s.length()) throw error("Unexpected end-of-input in a string");
                char c = s.charAt(at);
                if (c == '"') {
                    String out = b == null ? s.substring(start, at) : b.append(s, start, at).toString();
                    at++;
                    return out;
                }
                if (c < 0x20) throw error("Illegal unquoted character (CTRL-CHAR, code " + (int) c + "): has to be escaped in a string");
                if (c != '\\') {
                    at++;
                    continue;
                }
                if (b == null) b = new StringBuilder();
                b.append(s, start, at);
                if (at + 1 >= s.length()) throw error("Unexpected end-of-input in a string escape");
                char e = s.charAt(at + 1);
                at += 2;
                switch (e) {
                    case '"', '\\', '/' -> b.append(e);
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'u' -> {
                        if (at + 4 > s.length()) throw error("Unexpected end-of-input in a \\u escape");
                        int v = 0;
                        for (int i = 0; i < 4; i++) {
                            int d = Character.digit(s.charAt(at + i), 16);
                            if (d < 0) throw error("Unexpected character in a \\u escape: expected a hex digit");
                            v = v * 16 + d;
                        }
                        b.append((char) v);
                        at += 4;
                    }
                    default -> throw error("Unrecognized character escape (" + describe(e) + " after a backslash)");
                }
                start = at;
            }
        }

        private Num number() {
            int start = at;
            if (peek() == '-') at++;
            if (peek() == '0') {
                at++;
                if (isDigit(peek())) throw error("Invalid numeric value: leading zeroes not allowed");
            } else if (isDigit(peek())) {
                while (isDigit(peek())) at++;
            } else {
                throw error("Invalid numeric value: expected a digit after '-'");
            }
            if (peek() == '.') {
                at++;
                if (!isDigit(peek())) throw error("Invalid numeric value: expected a digit after the decimal point");
                while (isDigit(peek())) at++;
            }
            if (peek() == 'e' || peek() == 'E') {
                at++;
                if (peek() == '+' || peek() == '-') at++;
                if (!isDigit(peek())) throw error("Invalid numeric value: expected a digit in the exponent");
                while (isDigit(peek())) at++;
            }
            if (at - start > 1000) throw error("Number value length (" + (at - start) + ") exceeds the maximum allowed (1000)");
            return new Num(s.substring(start, at));
        }

        private Json literal(String word, Json v) {
            if (!s.startsWith(word, at)) throw error("Unrecognized token (" + describe() + "): expected a value");
            at += word.length();
            if (at < s.length() && Character.isLetterOrDigit(s.charAt(at))) throw error("Unrecognized token after '" + word + "'");
            return v;
        }

        private void expect(char c, String within) {
            char got = peek();
            if (got != c) throw unexpected(got, within, "'" + c + "'");
            at++;
        }

        private SyntaxError unexpected(char c, String within, String expected) {
            if (c == 0 && at >= s.length()) return error("Unexpected end-of-input within/between " + within);
            return error("Unexpected character (" + describe(c) + "): expected " + expected);
        }

        private char peek() {
            return at < s.length() ? s.charAt(at) : 0;
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }

        private void skipSpace() {
            while (at < s.length()) {
                char c = s.charAt(at);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
                at++;
            }
        }

        /** A name as JSON writes it (escapes keep the message on one line), cut at 80 characters. */
        private static String shortQuoted(String name) {
            String q = new Str(name).toString();
            return q.length() > 80 ? q.substring(0, 80) + "..." : q;
        }

        private String describe() {
            return at < s.length() ? describe(s.charAt(at)) : "end-of-input";
        }

        private static String describe(char c) {
            return c >= 0x20 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
        }

        private SyntaxError error(String what) {
            int line = 1, col = 1;
            for (int i = 0; i < Math.min(at, s.length()); i++) {
                if (s.charAt(i) == '\n') {
                    line++;
                    col = 1;
                } else {
                    col++;
                }
            }
            return new SyntaxError(what + " at line " + line + ", column " + col);
        }
    }
}
