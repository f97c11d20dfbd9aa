package dev.jlens.model;

import dev.jlens.JlensException;
import dev.jlens.io.Json;

/**
 * The fields of a Hugging Face {@code config.json}, read with one-line errors that name the file and the field:
 * what every {@link Architecture}'s config reader uses.
 */
public final class ConfigFields {
    private final Json.Obj root;
    private final String source;

    public ConfigFields(Json.Obj root, String source) {
        this.root = root;
        this.source = source;
    }

    /** The file, for messages. */
    public String source() {
        return source;
    }

    public boolean has(String field) {
        return root.has(field);
    }

    /** A whole number in 1..max. */
    public int positiveInt(String field, int max) {
        Json n = root.get(field);
        if (n == null || n == Json.Null.NULL) throw error("field \"" + field + "\" is missing");
        if (!(n instanceof Json.Num num) || !num.isIntegral()) throw error("field \"" + field + "\" must be an integer, got " + Json.brief(n));
        if (!num.fitsLong()) throw error("field \"" + field + "\" = " + Json.brief(n) + " is out of range (1.." + max + ")");
        long v = num.asLong();
        if (v <= 0 || v > max) throw error("field \"" + field + "\" = " + v + " is out of range (1.." + max + ")");
        return (int) v;
    }

    public double number(String field, double fallback) {
        Json n = root.get(field);
        if (n == null) return fallback;
        if (!(n instanceof Json.Num num)) throw error("field \"" + field + "\" must be a number, got " + Json.brief(n));
        return num.asDouble();
    }

    public String string(String field, String fallback) {
        Json n = root.get(field);
        if (n == null || n == Json.Null.NULL) return fallback;
        if (!(n instanceof Json.Str str)) throw error("field \"" + field + "\" must be a string, got " + Json.brief(n));
        return str.value();
    }

    public boolean bool(String field, boolean fallback) {
        Json n = root.get(field);
        if (n == null || n == Json.Null.NULL) return fallback;
        if (!(n instanceof Json.Bool b)) throw error("field \"" + field + "\" must be true or false, got " + Json.brief(n));
        return b.value();
    }

    /** The field's JSON text for a message, as {@link Json#brief(Json)} shows it. */
    public String shortJson(String field) {
        return Json.brief(root.get(field));
    }

    /** Refuses sizes whose tensor could not be one Java array (2^31 - 1 floats), before any weights are read. */
    public void requireArraySize(String what, long elements) {
        if (elements > Integer.MAX_VALUE) {
            throw error(what + " = " + elements + " values, more than one tensor can hold (2^31 - 1); are the sizes right?");
        }
    }

    /** {@code <file>: <problem>}. */
    public JlensException error(String problem) {
        return new JlensException(source + ": " + problem);
    }
}
