package dev.jlens.dataset;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The SQL types of a job's result columns. A result row is a map from column name to a value: {@link String},
 * {@link Long}, {@link Integer}, {@link Float}, {@code int[]}, {@code float[]} or {@code float[][]}, or null; a column
 * not declared here is text.
 */
public final class ResultColumns {
    /** The column every result row has: its input row's index, which orders the table. */
    public static final String ROW = "row";
    /** Set (alone with {@link #ROW}) on the result of an input row that could not be used, with why. */
    public static final String ERROR = "error";

    private final Map<String, String> types = new LinkedHashMap<>();

    public ResultColumns() {
        types.put(ROW, "BIGINT");
    }

    public ResultColumns add(String name, String sqlType) {
        types.put(name, sqlType);
        return this;
    }

    /** The declared type, or VARCHAR. */
    public String type(String name) {
        return types.getOrDefault(name, "VARCHAR");
    }

    public Map<String, String> declared() {
        return java.util.Collections.unmodifiableMap(types);
    }
}
