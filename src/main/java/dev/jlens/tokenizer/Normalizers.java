package dev.jlens.tokenizer;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import tools.jackson.databind.JsonNode;

/**
 * The {@code normalizer} of tokenizer.json as a function on text: the Unicode forms (Pythia's NFC), Prepend and
 * Replace (Llama 2's {@code "▁"} before the text and for every space; Gemma's replacement of spaces), Lowercase,
 * Strip, and a Sequence of those. A type that is not one of these is refused: silently skipping it would change
 * the ids.
 */
final class Normalizers {
    private Normalizers() {
    }

    /** The normalizer {@code node} describes; the identity for none. Throws {@link IllegalArgumentException}. */
    static UnaryOperator<String> of(JsonNode node) {
        if (TokenizerJson.absent(node)) return UnaryOperator.identity();
        String type = TokenizerJson.type(node, "normalizer");
        return switch (type) {
            case "NFC" -> text -> Normalizer.normalize(text, Normalizer.Form.NFC);
            case "NFD" -> text -> Normalizer.normalize(text, Normalizer.Form.NFD);
            case "NFKC" -> text -> Normalizer.normalize(text, Normalizer.Form.NFKC);
            case "NFKD" -> text -> Normalizer.normalize(text, Normalizer.Form.NFKD);
            case "Lowercase" -> text -> text.toLowerCase(Locale.ROOT);
            // Hugging Face prepends only to text that is not empty.
            case "Prepend" -> {
                String prepend = TokenizerJson.string(node, "prepend");
                yield text -> text.isEmpty() ? text : prepend + text;
            }
            case "Replace" -> {
                TextPattern pattern = TextPattern.of(node.get("pattern"));
                String content = TokenizerJson.string(node, "content");
                yield text -> pattern.replaceAll(text, content);
            }
            case "Strip" -> {
                boolean left = node.path("strip_left").asBoolean(false);
                boolean right = node.path("strip_right").asBoolean(false);
                yield text -> strip(text, left, right);
            }
            case "Sequence" -> {
                List<UnaryOperator<String>> steps = new ArrayList<>();
                for (JsonNode step : TokenizerJson.list(node, "normalizers")) steps.add(of(step));
                yield text -> {
                    for (UnaryOperator<String> step : steps) text = step.apply(text);
                    return text;
                };
            }
            default -> throw new IllegalArgumentException("normalizer \"" + type + "\" is not supported"
                    + " (supported: NFC, NFD, NFKC, NFKD, Lowercase, Prepend, Replace, Strip, Sequence)");
        };
    }

    /** Strips White_Space characters (Rust's {@code char::is_whitespace}) from either end. */
    private static String strip(String text, boolean left, boolean right) {
        int start = 0;
        int end = text.length();
        while (left && start < end) {
            int c = text.codePointAt(start);
            if (!isWhiteSpace(c)) break;
            start += Character.charCount(c);
        }
        while (right && end > start) {
            int c = text.codePointBefore(end);
            if (!isWhiteSpace(c)) break;
            end -= Character.charCount(c);
        }
        return text.substring(start, end);
    }

    /** The Unicode White_Space property, which Rust's {@code char::is_whitespace} tests. */
    static boolean isWhiteSpace(int c) {
        return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680
                || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F
                || c == 0x3000;
    }
}
