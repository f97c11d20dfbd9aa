package dev.jlens.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import tools.jackson.databind.JsonNode;

/**
 * The {@code pre_tokenizer} of tokenizer.json: how normalized text is cut into the pieces the model encodes one by
 * one. ByteLevel (GPT-2's regex, then each piece's bytes as byte-level characters), Split (a pattern and what
 * becomes of its matches: Llama 3's regex), Metaspace (SentencePiece's {@code ▁} for spaces), Digits, and a
 * Sequence of those, each step cutting every piece of the one before, as Hugging Face's {@code PreTokenizedString}.
 */
final class PreTokenizers {
    /** A piece of text and whether it starts the whole input (Metaspace's "first" scheme prepends only there). */
    record Piece(String text, boolean atStart) {
    }

    /** One pre-tokenizer: cuts a piece into pieces (never empty ones). */
    @FunctionalInterface
    interface Step {
        void split(Piece piece, List<Piece> out);
    }

    private PreTokenizers() {
    }

    /** The pre-tokenizer {@code node} describes; one piece per input for none. */
    static Step of(JsonNode node) {
        if (TokenizerJson.absent(node)) return (piece, out) -> out.add(piece);
        String type = TokenizerJson.type(node, "pre_tokenizer");
        return switch (type) {
            case "ByteLevel" -> byteLevel(node.path("add_prefix_space").asBoolean(true),
                    node.path("use_regex").asBoolean(true));
            case "Split" -> split(TextPattern.of(node.get("pattern")), behavior(node),
                    node.path("invert").asBoolean(false));
            case "Metaspace" -> metaspace(TokenizerJson.character(node, "replacement"), prependScheme(node),
                    node.path("split").asBoolean(true));
            case "Digits" -> split(TextPattern.of(TokenizerJson.absent(node.get("individual_digits"))
                            || !node.get("individual_digits").asBoolean()
                            ? regex("\\p{Nd}+") : regex("\\p{Nd}")), "Isolated", false);
            case "Sequence" -> {
                List<Step> steps = new ArrayList<>();
                for (JsonNode step : TokenizerJson.list(node, "pretokenizers")) steps.add(of(step));
                yield (piece, out) -> {
                    List<Piece> pieces = List.of(piece);
                    for (Step step : steps) {
                        List<Piece> next = new ArrayList<>();
                        for (Piece p : pieces) step.split(p, next);
                        pieces = next;
                    }
                    out.addAll(pieces);
                };
            }
            default -> throw new IllegalArgumentException("pre_tokenizer \"" + type + "\" is not supported"
                    + " (supported: ByteLevel, Split, Metaspace, Digits, Sequence)");
        };
    }

    private static JsonNode regex(String regex) {
        return tools.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("Regex", regex);
    }

    /**
     * Hugging Face's ByteLevel: a space before a piece that has none (with {@code add_prefix_space}), GPT-2's regex
     * (with {@code use_regex}), then every byte of the UTF-8 as its byte-level character.
     */
    private static Step byteLevel(boolean addPrefixSpace, boolean useRegex) {
        return (piece, out) -> {
            String text = addPrefixSpace && !piece.text().startsWith(" ") ? " " + piece.text() : piece.text();
            if (!useRegex) {
                out.add(new Piece(toByteLevel(text), piece.atStart()));
                return;
            }
            PreTokenizer.split(text, 0, text.length(), (from, to) ->
                    out.add(new Piece(toByteLevel(text.substring(from, to)), piece.atStart() && from == 0)));
        };
    }

    static String toByteLevel(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        char[] chars = new char[utf8.length];
        for (int i = 0; i < utf8.length; i++) chars[i] = ByteLevel.charOf(utf8[i]);
        return new String(chars);
    }

    private static String behavior(JsonNode node) {
        String behavior = TokenizerJson.string(node, "behavior");
        return switch (behavior) {
            case "Removed", "Isolated", "MergedWithPrevious", "MergedWithNext", "Contiguous" -> behavior;
            default -> throw new IllegalArgumentException("Split behavior \"" + behavior + "\" is not one of"
                    + " Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous");
        };
    }

    /** Cuts at the pattern's matches (at what does not match, with {@code invert}) and keeps them as asked. */
    static Step split(TextPattern pattern, String behavior, boolean invert) {
        return (piece, out) -> {
            String text = piece.text();
            // Alternating stretches: [start, end, isMatch], covering the text.
            List<int[]> stretches = new ArrayList<>();
            Matcher m = pattern.pattern().matcher(text);
            int at = 0;
            while (m.find()) {
                if (m.end() == m.start()) continue; // an empty match cuts nothing
                if (m.start() > at) stretches.add(new int[] {at, m.start(), invert ? 1 : 0});
                stretches.add(new int[] {m.start(), m.end(), invert ? 0 : 1});
                at = m.end();
            }
            if (at < text.length()) stretches.add(new int[] {at, text.length(), invert ? 1 : 0});
            List<int[]> pieces = new ArrayList<>();
            for (int[] s : stretches) {
                boolean match = s[2] == 1;
                int[] last = pieces.isEmpty() ? null : pieces.get(pieces.size() - 1);
                switch (behavior) {
                    case "Removed" -> {
                        if (!match) pieces.add(new int[] {s[0], s[1], 0});
                    }
                    case "Isolated" -> pieces.add(new int[] {s[0], s[1], 0});
                    case "MergedWithPrevious" -> {
                        // A match ends the piece before it, unless that piece already ends in one.
                        if (match && last != null && last[2] == 0) {
                            last[1] = s[1];
                            last[2] = 1;
                        } else pieces.add(new int[] {s[0], s[1], match ? 1 : 0});
                    }
                    case "MergedWithNext" -> {
                        // A match opens a piece that the following stretch joins.
                        if (!match && last != null && last[2] == 1) {
                            last[1] = s[1];
                            last[2] = 0;
                        } else pieces.add(new int[] {s[0], s[1], match ? 1 : 0});
                    }
                    case "Contiguous" -> {
                        if (match && last != null && last[2] == 1) last[1] = s[1];
                        else pieces.add(new int[] {s[0], s[1], match ? 1 : 0});
                    }
                    default -> throw new IllegalStateException(behavior);
                }
            }
            for (int[] p : pieces) {
                if (p[1] > p[0]) out.add(new Piece(text.substring(p[0], p[1]), piece.atStart() && p[0] == 0));
            }
        };
    }

    private static String prependScheme(JsonNode node) {
        JsonNode scheme = node.get("prepend_scheme");
        if (TokenizerJson.absent(scheme)) {
            // Files from before prepend_scheme was written say add_prefix_space instead.
            return node.path("add_prefix_space").asBoolean(true) ? "always" : "never";
        }
        String s = scheme.asString();
        if (!s.equals("always") && !s.equals("first") && !s.equals("never")) {
            throw new IllegalArgumentException("Metaspace prepend_scheme \"" + s + "\" is not always, first or never");
        }
        return s;
    }

    /**
     * SentencePiece's spaces: every space becomes {@code replacement}, which is also put before a piece that does
     * not start with it ("always", or "first": only before the piece that starts the input), then (with
     * {@code split}) the text is cut before each {@code replacement}.
     */
    private static Step metaspace(int replacement, String scheme, boolean split) {
        String marker = new String(Character.toChars(replacement));
        Step splitBefore = split(new TextPattern(java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(marker))),
                "MergedWithNext", false);
        return (piece, out) -> {
            String text = piece.text().replace(" ", marker);
            boolean prepend = scheme.equals("always") || (scheme.equals("first") && piece.atStart());
            if (prepend && !text.startsWith(marker)) text = marker + text;
            Piece replaced = new Piece(text, piece.atStart());
            if (split) splitBefore.split(replaced, out);
            else if (!text.isEmpty()) out.add(replaced);
        };
    }
}
