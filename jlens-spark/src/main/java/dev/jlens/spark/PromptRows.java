package dev.jlens.spark;

import dev.jlens.JlensException;
import dev.jlens.dataset.BadRow;
import dev.jlens.dataset.PromptDataset;
import dev.jlens.dataset.PromptRow;
import dev.jlens.io.Json;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Spark rows of a prompt dataset as {@link PromptRow}s, read as {@link PromptDataset} reads a file: {@code prompt},
 * {@code answers} (a list [correct, incorrect], or its JSON text as a CSV cell holds it), optionally
 * {@code corrupted_prompt}, and the other columns carried through as text (lists and structs as their JSON).
 */
final class PromptRows implements Serializable {
    private static final Set<String> KNOWN = Set.of(PromptDataset.PROMPT, PromptDataset.ANSWERS, PromptDataset.CORRUPTED_PROMPT);
    private final String source;
    private final StructType schema;

    /** {@code source} names the dataset in messages. The columns are checked here, on the driver. */
    PromptRows(String source, StructType schema) {
        this.source = source;
        this.schema = schema;
        for (String column : List.of(PromptDataset.PROMPT, PromptDataset.ANSWERS)) {
            if (!List.of(schema.fieldNames()).contains(column)) {
                throw new JlensException(source + ": no \"" + column + "\" column (the dataset has: " + String.join(", ", schema.fieldNames()) + ")");
            }
        }
    }

    /** The columns carried through, in the dataset's order. */
    List<String> extraColumns() {
        List<String> out = new ArrayList<>();
        for (String name : schema.fieldNames()) if (!KNOWN.contains(name)) out.add(name);
        return out;
    }

    boolean hasCorruptedPrompt() {
        return List.of(schema.fieldNames()).contains(PromptDataset.CORRUPTED_PROMPT);
    }

    PromptRow read(long index, Row r) {
        String where = source + ": row " + index;
        String prompt = text(where, r, PromptDataset.PROMPT);
        Object answers = r.get(r.fieldIndex(PromptDataset.ANSWERS));
        if (answers == null) throw new BadRow(where + ": no \"answers\"");
        List<String> pair = answers(where, answers);
        String corrupted = hasCorruptedPrompt() && !r.isNullAt(r.fieldIndex(PromptDataset.CORRUPTED_PROMPT))
                ? text(where, r, PromptDataset.CORRUPTED_PROMPT) : null;
        Map<String, String> extra = new LinkedHashMap<>();
        for (String column : extraColumns()) extra.put(column, asText(r.get(r.fieldIndex(column))));
        return new PromptRow(index, where, prompt, pair.get(0), pair.get(1), corrupted, extra);
    }

    private static String text(String where, Row r, String column) {
        Object v = r.get(r.fieldIndex(column));
        if (v == null) throw new BadRow(where + ": no \"" + column + "\"");
        if (!(v instanceof String s)) throw new BadRow(where + ": \"" + column + "\" must be text, got " + asText(v));
        return s;
    }

    private static List<String> answers(String where, Object value) {
        List<?> list = null;
        if (value instanceof scala.collection.Seq<?> seq) list = scala.jdk.javaapi.CollectionConverters.asJava(seq);
        else if (value instanceof List<?> l) list = l;
        else if (value instanceof String cell) {
            try {
                if (Json.parse(cell, 4) instanceof Json.Arr a && a.size() == 2 && a.get(0) instanceof Json.Str c && a.get(1) instanceof Json.Str i) {
                    list = List.of(c.value(), i.value());
                }
            } catch (Json.SyntaxError e) {
                // not a list: refused below
            }
        }
        if (list != null && list.size() == 2 && list.get(0) instanceof String c && list.get(1) instanceof String i) return List.of(c, i);
        throw new BadRow(where + ": \"answers\" must be a list of two strings [correct, incorrect], got " + asText(value));
    }

    /** A value as text: strings as they are, lists as JSON lists, anything else as its text. */
    static String asText(Object value) {
        if (value == null) return null;
        if (value instanceof String s) return s;
        if (value instanceof scala.collection.Seq<?> seq) {
            StringBuilder b = new StringBuilder("[");
            List<?> list = scala.jdk.javaapi.CollectionConverters.asJava(seq);
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) b.append(',');
                Object v = list.get(i);
                if (v instanceof String s) Json.Str.quote(s, false, b);
                else b.append(v == null ? "null" : asText(v));
            }
            return b.append(']').toString();
        }
        if (value instanceof Row row) return row.json();
        return value.toString();
    }
}
