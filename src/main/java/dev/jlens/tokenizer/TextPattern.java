package dev.jlens.tokenizer;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import tools.jackson.databind.JsonNode;

/**
 * A {@code pattern} of tokenizer.json: {@code {"String": s}} (matched literally) or {@code {"Regex": r}}
 * (Oniguruma syntax, which Hugging Face compiles). The regexes these tokenizers use read the same in Java with
 * {@link Pattern#UNICODE_CHARACTER_CLASS} ({@code \s} is Unicode White_Space, {@code \p{L}} the letters; see
 * {@link PreTokenizer}), which also turns on Unicode case folding for {@code (?i)}, as Oniguruma folds: Llama 3's
 * {@code (?i:'s|...)} takes {@code 'ſ} (long s) in both.
 */
record TextPattern(Pattern pattern) {
    static TextPattern of(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("pattern " + node + " is not {\"String\": ...} or {\"Regex\": ...}");
        }
        if (node.get("String") != null && node.get("String").isString()) {
            return new TextPattern(Pattern.compile(Pattern.quote(node.get("String").stringValue())));
        }
        if (node.get("Regex") != null && node.get("Regex").isString()) {
            String regex = node.get("Regex").stringValue();
            try {
                return new TextPattern(Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS));
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("pattern " + node + " is not a regex Java can read: "
                        + e.getDescription());
            }
        }
        throw new IllegalArgumentException("pattern " + node + " is not {\"String\": ...} or {\"Regex\": ...}");
    }

    String replaceAll(String text, String content) {
        return pattern.matcher(text).replaceAll(Matcher.quoteReplacement(content));
    }
}
