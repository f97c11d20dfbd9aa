package dev.jlens.dataset;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One row of a prompt dataset: the prompt, its (correct, incorrect) answers, optionally a corrupted prompt, and
 * the row's other columns, carried through to the results as text.
 *
 * @param row   the row's index in its dataset, from 0 (bad rows skipped count too): it keys and orders the results
 * @param where where the row is in its file, for messages ({@code "F.jsonl: line 7"})
 * @param extra the other columns, in the dataset's order (a JSON value that is not a string as its JSON text)
 */
public record PromptRow(long row, String where, String prompt, String correct, String incorrect, String corruptedPrompt,
                        Map<String, String> extra) implements Serializable {
    public PromptRow {
        extra = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    }

    public boolean hasCorruptedPrompt() {
        return corruptedPrompt != null;
    }
}
