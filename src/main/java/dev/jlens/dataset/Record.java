package dev.jlens.dataset;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One record of a table file as read, before it is checked: its fields by column name (a string, a list of
 * strings, or another value's text), and where it is, for messages ("line 7", "row 7").
 */
record Record(String where, Map<String, Object> fields) {
    Record {
        fields = new LinkedHashMap<>(fields);
    }

    boolean has(String column) {
        return fields.containsKey(column) && fields.get(column) != null;
    }

    Object get(String column) {
        return fields.get(column);
    }

    /** A field's value as text for carrying through: strings as they are, lists and other values as JSON. */
    static String asText(Object value) {
        if (value == null) return null;
        if (value instanceof String s) return s;
        if (value instanceof List<?> list) {
            StringBuilder b = new StringBuilder("[");
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) b.append(',');
                Object v = list.get(i);
                if (v instanceof String s) dev.jlens.io.Json.Str.quote(s, false, b);
                else b.append(v == null ? "null" : asText(v));
            }
            return b.append(']').toString();
        }
        return value.toString();
    }
}
