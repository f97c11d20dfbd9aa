package dev.jlens.model;

import dev.jlens.JlensException;
import dev.jlens.io.Json;
import dev.jlens.io.SmallFiles;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The fields of a Hugging Face {@code config.json}, read with one-line errors that name the file and the field:
 * what every {@link Architecture}'s config reader uses.
 */
public final class ConfigFields {
    private final Json.Obj root;
    private final String source;
    private final String prefix;  // the path of a nested object's fields in messages, e.g. "metadata."

    public ConfigFields(Json.Obj root, String source) {
        this(root, source, "");
    }

    private ConfigFields(Json.Obj root, String source, String prefix) {
        this.root = root;
        this.source = source;
        this.prefix = prefix;
    }

    /**
     * A small JSON file holding one object ({@code kind} names it in messages, e.g. "a config.json"), with its
     * size and nesting capped: every problem is one line naming the file.
     */
    public static ConfigFields read(Path file, long maxBytes, int maxDepth, String kind) {
        Json root;
        try {
            byte[] bytes = SmallFiles.read(file, maxBytes, kind);
            root = Json.parse(file.toString(), SmallFiles.utf8(file.toString(), bytes), maxDepth);
        } catch (IOException e) {
            throw new JlensException(file + ": cannot read (" + e.getMessage() + ")");
        }
        if (!(root instanceof Json.Obj object)) throw new JlensException(file + ": not a JSON object");
        return new ConfigFields(object, file.toString());
    }

    /** The file, for messages. */
    public String source() {
        return source;
    }

    public boolean has(String field) {
        return root.has(field);
    }

    /** The field's value as written, or null when it is absent. */
    public Json raw(String field) {
        return root.get(field);
    }

    /** A field holding an object, read with the same rules and messages (naming it {@code field.inner}); null when absent or null. */
    public ConfigFields object(String field) {
        Json n = root.get(field);
        if (n == null || n == Json.Null.NULL) return null;
        if (!(n instanceof Json.Obj obj)) throw error("field \"" + prefix + field + "\" must be an object, got " + Json.brief(n));
        return new ConfigFields(obj, source, prefix + field + ".");
    }

    /** A whole number in 1..max. */
    public int positiveInt(String field, int max) {
        Json n = root.get(field);
        if (n == null || n == Json.Null.NULL) throw error("field \"" + prefix + field + "\" is missing");
        if (!(n instanceof Json.Num num) || !num.isIntegral()) throw error("field \"" + prefix + field + "\" must be an integer, got " + Json.brief(n));
        if (!num.fitsLong()) throw error("field \"" + prefix + field + "\" = " + Json.brief(n) + " is out of range (1.." + max + ")");
        long v = num.asLong();
        if (v <= 0 || v > max) throw error("field \"" + prefix + field + "\" = " + v + " is out of range (1.." + max + ")");
        return (int) v;
    }

    public double number(String field, double fallback) {
        Json n = root.get(field);
        if (n == null) return fallback;
        if (!(n instanceof Json.Num num)) throw error("field \"" + prefix + field + "\" must be a number, got " + Json.brief(n));
        return num.asDouble();
    }

    public String string(String field, String fallback) {
        Json n = root.get(field);
        if (n == null || n == Json.Null.NULL) return fallback;
        if (!(n instanceof Json.Str str)) throw error("field \"" + prefix + field + "\" must be a string, got " + Json.brief(n));
        return str.value();
    }

    public boolean bool(String field, boolean fallback) {
        Json n = root.get(field);
        if (n == null || n == Json.Null.NULL) return fallback;
        if (!(n instanceof Json.Bool b)) throw error("field \"" + prefix + field + "\" must be true or false, got " + Json.brief(n));
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
