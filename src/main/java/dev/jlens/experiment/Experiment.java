package dev.jlens.experiment;

import dev.jlens.patching.PatchKind;

import dev.jlens.JlensException;
import dev.jlens.io.Json;
import dev.jlens.io.SmallFiles;
import dev.jlens.tokenizer.Gpt2Tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * An experiment file: the seed's analysis for a set of prompts, each with a (correct, incorrect) answer
 * pair, optionally corrupted prompts, the patching sweeps to run and the kinds to estimate by attribution
 * patching (one forward and backward pass of the corrupted run for all of them).
 *
 * <pre>{@code
 * {"model": "gpt2-small", "prepend_bos": true,
 *  "prompts": ["When John and Mary went to the shops, John gave the bag to"],
 *  "answers": [[" Mary", " John"]],
 *  "corrupted_prompts": ["When John and Mary went to the shops, Mary gave the bag to"],
 *  "patching": ["resid_pre", "attn_head_out_all_pos"],
 *  "attribution": ["attn_head_out_all_pos"]}
 * }</pre>
 *
 * With {@code "saes": [SAE, ...]} (each a folder in SAELens' layout, {@code REPO_ID/SUBFOLDER} on the Hub or a SAELens
 * release's SAE, as {@code --sae} takes them) the whole analysis runs with those SAEs spliced in
 * ({@code HookedSAETransformer}), with their error terms if {@code "use_error_term": true} (default false, as SAELens'
 * {@code add_sae}), and adds the features that matter most for the logit difference.
 *
 * @param source where it was read from, for error messages ("E.json: answers[0] ...")
 * @param saes   the SAEs to splice in, as written (resolved by whoever loads the model), or empty
 */
public record Experiment(String source, String model, boolean prependBos, List<String> prompts, List<AnswerPair> answers,
                         List<String> corruptedPrompts, List<PatchKind> patching, List<PatchKind> attribution,
                         List<String> saes, boolean useErrorTerm) {
    private static final Set<String> FIELDS = Set.of("model", "prepend_bos", "prompts", "answers", "corrupted_prompts", "patching", "attribution",
            "saes", "use_error_term");
    /** Refuse absurd files before they cost memory: 64 MB of JSON, 100k prompts. */
    private static final long MAX_BYTES = 64L << 20;
    private static final int MAX_PROMPTS = 100_000;

    /** The correct and the incorrect answer of one prompt. */
    public record AnswerPair(String correct, String incorrect) {}

    public Experiment {
        prompts = List.copyOf(prompts);
        answers = List.copyOf(answers);
        corruptedPrompts = corruptedPrompts == null ? null : List.copyOf(corruptedPrompts);
        patching = List.copyOf(patching);
        attribution = List.copyOf(attribution);
        saes = List.copyOf(saes);
    }

    /** An experiment without SAEs. */
    public Experiment(String source, String model, boolean prependBos, List<String> prompts, List<AnswerPair> answers,
                      List<String> corruptedPrompts, List<PatchKind> patching, List<PatchKind> attribution) {
        this(source, model, prependBos, prompts, answers, corruptedPrompts, patching, attribution, List.of(), false);
    }

    /** An experiment without attribution patching. */
    public Experiment(String source, String model, boolean prependBos, List<String> prompts, List<AnswerPair> answers,
                      List<String> corruptedPrompts, List<PatchKind> patching) {
        this(source, model, prependBos, prompts, answers, corruptedPrompts, patching, List.of());
    }

    public boolean hasCorruptedPrompts() {
        return corruptedPrompts != null;
    }

    public static Experiment read(Path file) {
        return parse(file.toString(), readBytes(file));
    }

    /** The bytes of an experiment file, read once (it may be a pipe), at most 64 MB. */
    public static byte[] readBytes(Path file) {
        String name = file.toString();
        try {
            if (Files.isDirectory(file)) throw new JlensException(name + ": is a folder, not an experiment file");
            return SmallFiles.read(file, MAX_BYTES, "an experiment file");
        } catch (NoSuchFileException e) {
            throw new JlensException(name + ": no such experiment file");
        } catch (IOException e) {
            throw new JlensException(name + ": cannot be read (" + e.getMessage() + ")");
        }
    }

    /** An experiment from the bytes of a file or a request, UTF-8 as {@link SmallFiles#utf8} reads them. */
    public static Experiment parse(String source, byte[] bytes) {
        return parse(source, SmallFiles.utf8(source, bytes));
    }

    public static Experiment parse(String source, String json) {
        if (json.isBlank()) throw new JlensException(source + ": must be a JSON object with \"prompts\" and \"answers\"");
        Json parsed = Json.parse(source, json, 32);
        if (!(parsed instanceof Json.Obj root)) throw new JlensException(source + ": must be a JSON object with \"prompts\" and \"answers\"");
        for (String field : root.names()) {
            if (!FIELDS.contains(field)) throw new JlensException(source + ": unknown field \"" + field + "\" (known: model, prepend_bos, prompts, answers, corrupted_prompts, patching, attribution, saes, use_error_term)");
        }
        String model = optionalString(root, "model", source);
        boolean bos = true;
        if (root.has("prepend_bos")) {
            if (!(root.get("prepend_bos") instanceof Json.Bool b)) throw new JlensException(source + ": \"prepend_bos\" must be true or false");
            bos = b.value();
        }
        List<String> prompts = strings(root, "prompts", source, true);
        if (prompts.isEmpty()) throw new JlensException(source + ": \"prompts\" is empty; give at least one prompt");
        if (prompts.size() > MAX_PROMPTS) throw new JlensException(source + ": " + prompts.size() + " prompts; at most " + MAX_PROMPTS);
        List<AnswerPair> answers = answers(root, source);
        if (answers.size() != prompts.size()) {
            throw new JlensException(source + ": " + answers.size() + " answer pairs for " + prompts.size() + " prompts; give one (correct, incorrect) pair per prompt");
        }
        List<String> corrupted = root.has("corrupted_prompts") ? strings(root, "corrupted_prompts", source, true) : null;
        if (corrupted != null && corrupted.size() != prompts.size()) {
            throw new JlensException(source + ": " + corrupted.size() + " corrupted prompts for " + prompts.size() + " prompts; give one per prompt");
        }
        if (!bos) {
            // Without BOS an empty text has no tokens at all, and a run needs at least one.
            requireNonEmpty(source, "prompts", prompts);
            if (corrupted != null) requireNonEmpty(source, "corrupted_prompts", corrupted);
        }
        List<PatchKind> patching = kinds(root, "patching", "the runs the clean activations are pasted into", source, corrupted != null);
        List<PatchKind> attribution = kinds(root, "attribution", "the run whose gradient estimates each patch", source, corrupted != null);
        List<String> saes = strings(root, "saes", source, false);
        for (int i = 0; i < saes.size(); i++) {
            if (saes.get(i).isBlank()) throw new JlensException(source + ": saes[" + i + "] is empty; give an SAE folder, REPO_ID/SUBFOLDER on the Hub or a release's SAE");
        }
        boolean useErrorTerm = false;
        if (root.has("use_error_term")) {
            if (!(root.get("use_error_term") instanceof Json.Bool b)) throw new JlensException(source + ": \"use_error_term\" must be true or false");
            useErrorTerm = b.value();
            if (saes.isEmpty()) throw new JlensException(source + ": \"use_error_term\" is for the SAEs in \"saes\", and none is given");
        }
        return new Experiment(source, model, bos, prompts, answers, corrupted, patching, attribution, saes, useErrorTerm);
    }

    /** The patching kinds listed in {@code field}: known, each once, and only with corrupted prompts. */
    private static List<PatchKind> kinds(Json.Obj root, String field, String whyCorrupted, String source, boolean hasCorrupted) {
        List<PatchKind> out = new ArrayList<>();
        if (!root.has(field)) return out;
        List<String> ids = strings(root, field, source, false);
        for (int i = 0; i < ids.size(); i++) {
            String k = ids.get(i);
            String noun = field.equals("patching") ? "patching" : "attribution";
            PatchKind kind = PatchKind.byId(k).orElseThrow(() -> new JlensException(
                    source + ": unknown " + noun + " kind " + Json.brief(k) + " (known: " + PatchKind.allIds() + ")"));
            if (out.contains(kind)) throw new JlensException(source + ": " + field + "[" + i + "] " + Json.brief(k) + " is listed twice");
            out.add(kind);
        }
        if (!out.isEmpty() && !hasCorrupted) {
            throw new JlensException(source + ": \"" + field + "\" needs \"corrupted_prompts\" (" + whyCorrupted + ")");
        }
        return out;
    }

    private static String optionalString(Json.Obj root, String field, String source) {
        if (!root.has(field) || root.get(field) == Json.Null.NULL) return null;
        if (!(root.get(field) instanceof Json.Str str)) throw new JlensException(source + ": \"" + field + "\" must be a string");
        return wellFormed(source, field, str.value());
    }

    private static List<String> strings(Json.Obj root, String field, String source, boolean required) {
        Json n = root.get(field);
        if (n == null) {
            if (required) throw new JlensException(source + ": \"" + field + "\" is missing");
            return List.of();
        }
        if (!(n instanceof Json.Arr list)) throw new JlensException(source + ": \"" + field + "\" must be a list of strings");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Json.Str str)) throw new JlensException(source + ": " + field + "[" + i + "] must be a string, got " + Json.brief(list.get(i)));
            out.add(wellFormed(source, field + "[" + i + "]", str.value()));
        }
        return out;
    }

    private static List<AnswerPair> answers(Json.Obj root, String source) {
        Json n = root.get("answers");
        if (n == null) throw new JlensException(source + ": \"answers\" is missing");
        if (!(n instanceof Json.Arr list)) throw new JlensException(source + ": \"answers\" must be a list of [correct, incorrect] pairs");
        List<AnswerPair> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            Json pair = list.get(i);
            if (!(pair instanceof Json.Arr p) || p.size() != 2 || !(p.get(0) instanceof Json.Str correct) || !(p.get(1) instanceof Json.Str incorrect)) {
                throw new JlensException(source + ": answers[" + i + "] must be a pair of strings [correct, incorrect], got " + Json.brief(pair));
            }
            out.add(new AnswerPair(wellFormed(source, "answers[" + i + "][0]", correct.value()),
                    wellFormed(source, "answers[" + i + "][1]", incorrect.value())));
        }
        return out;
    }

    private static void requireNonEmpty(String source, String field, List<String> texts) {
        for (int i = 0; i < texts.size(); i++) {
            if (texts.get(i).isEmpty()) {
                throw new JlensException(source + ": " + field + "[" + i + "] is empty and \"prepend_bos\" is false, so it has no tokens; "
                        + "give it some text or prepend BOS");
            }
        }
    }

    /** Text that has UTF-8 (no unpaired surrogate, as a JSON escape like "\\ud800" can write). */
    private static String wellFormed(String source, String field, String text) {
        int at = Gpt2Tokenizer.unpairedSurrogate(text);
        if (at >= 0) {
            throw new JlensException(String.format("%s: %s has an unpaired surrogate U+%04X at index %d; it is not valid Unicode text",
                    source, field, (int) text.charAt(at), at));
        }
        return text;
    }
}
