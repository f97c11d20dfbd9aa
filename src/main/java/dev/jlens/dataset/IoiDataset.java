package dev.jlens.dataset;

import dev.jlens.io.Json;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Indirect-object-identification prompts as TransformerLens' {@code evals.IOIDataset} makes them: a template from
 * its list, each noun placeholder ([LOCATION], [OBJECT]) filled from its list, two different names drawn for [A]
 * (the indirect object, the correct answer) and [B] (the subject, the incorrect one). The prompt is the text up to
 * the answer. The corrupted prompt is the seed notebook's name swap: the subject of the last clause becomes the
 * indirect object ("..., John gave the bag to" becomes "..., Mary gave the bag to"), the answers unchanged.
 * The draws come from {@link Random} with the given seed: the same seed gives the same rows, though not the rows
 * Python's random module draws.
 */
public final class IoiDataset {
    /** TransformerLens' default templates: the first names the indirect object first (ABBA), the second the subject (BABA). */
    public static final List<String> TEMPLATES = List.of(
            "[A] and [B] went to the [LOCATION] to buy [OBJECT]. [B] handed the [OBJECT] to [A]",
            "Then, [B] and [A] went to the [LOCATION]. [B] gave the [OBJECT] to [A]");
    /** TransformerLens' default names. */
    public static final List<String> NAMES = List.of("John", "Mary");
    /** TransformerLens' default nouns, in its order (placeholders are filled in this order). */
    public static final Map<String, List<String>> NOUNS = orderedNouns();

    private static Map<String, List<String>> orderedNouns() {
        java.util.LinkedHashMap<String, List<String>> m = new java.util.LinkedHashMap<>();
        m.put("LOCATION", List.of("store", "market"));
        m.put("OBJECT", List.of("milk", "eggs", "bread"));
        return java.util.Collections.unmodifiableMap(m);
    }

    private static final String ANSWER_SUFFIX = " [A]";

    private IoiDataset() {}

    /** One generated prompt: its text, answers, corrupted text and the template it came from. */
    public record Sample(String prompt, String correct, String incorrect, String corruptedPrompt, String template, String order) {
        /** The row as a JSON object with the prompt dataset's columns and {@code template}, {@code order}. */
        public Json.Obj toJson() {
            return new Json.Obj().put(PromptDataset.PROMPT, prompt)
                    .put(PromptDataset.ANSWERS, Json.Arr.ofStrings(List.of(correct, incorrect)))
                    .put(PromptDataset.CORRUPTED_PROMPT, corruptedPrompt)
                    .put("template", template).put("order", order);
        }
    }

    /**
     * {@code n} samples. With {@code symmetric}, as TransformerLens: n/2 draws, each giving both orders of its two
     * names.
     */
    public static List<Sample> generate(int n, long seed, boolean symmetric) {
        Random random = new Random(seed);
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < (symmetric ? n / 2 : n); i++) {
            String template = TEMPLATES.get(random.nextInt(TEMPLATES.size()));
            String filled = template;
            for (Map.Entry<String, List<String>> noun : NOUNS.entrySet()) {
                List<String> choices = noun.getValue();
                filled = filled.replace("[" + noun.getKey() + "]", choices.get(random.nextInt(choices.size())));
            }
            int a = random.nextInt(NAMES.size());
            int b = random.nextInt(NAMES.size() - 1);
            if (b >= a) b++;
            out.add(sample(template, filled, NAMES.get(a), NAMES.get(b)));
            if (symmetric) out.add(sample(template, filled, NAMES.get(b), NAMES.get(a)));
        }
        return out;
    }

    private static Sample sample(String template, String filled, String io, String s) {
        String prompt = filled.substring(0, filled.length() - ANSWER_SUFFIX.length());
        int lastSubject = prompt.lastIndexOf("[B]");
        String corrupted = prompt.substring(0, lastSubject) + "[A]" + prompt.substring(lastSubject + 3);
        return new Sample(names(prompt, io, s), " " + io, " " + s, names(corrupted, io, s), template, order(template));
    }

    private static String names(String text, String a, String b) {
        return text.replace("[A]", a).replace("[B]", b);
    }

    /** ABBA when the indirect object is named first, BABA when the subject is. */
    static String order(String template) {
        return template.indexOf("[A]") < template.indexOf("[B]") ? "ABBA" : "BABA";
    }
}
