package dev.jlens.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import tools.jackson.databind.JsonNode;

/**
 * The {@code decoder} of tokenizer.json: token strings back to text, as Hugging Face's {@code decode_chain}, each
 * step taking the list of strings the one before gave. ByteLevel (GPT-2, Pythia, Llama 3), and the SentencePiece
 * steps of Llama 2 and Gemma: Replace ({@code ▁} to a space), ByteFallback ({@code <0x41>} tokens to their bytes),
 * Fuse, Strip, Metaspace. Without a decoder, tokens are joined with spaces.
 */
final class Decoders {
    private Decoders() {
    }

    /** The decoder {@code node} describes, as a function from the tokens' strings to the text. */
    static java.util.function.Function<List<String>, String> of(JsonNode node) {
        if (TokenizerJson.absent(node)) return tokens -> String.join(" ", tokens);
        UnaryOperator<List<String>> chain = step(node);
        return tokens -> String.join("", chain.apply(tokens));
    }

    private static UnaryOperator<List<String>> step(JsonNode node) {
        String type = TokenizerJson.type(node, "decoder");
        return switch (type) {
            case "ByteLevel" -> Decoders::byteLevel;
            case "Replace" -> {
                TextPattern pattern = TextPattern.of(node.get("pattern"));
                String content = TokenizerJson.string(node, "content");
                yield tokens -> tokens.stream().map(t -> pattern.replaceAll(t, content)).toList();
            }
            case "ByteFallback" -> Decoders::byteFallback;
            case "Fuse" -> tokens -> List.of(String.join("", tokens));
            case "Strip" -> {
                int strip = TokenizerJson.character(node, "content");
                int start = TokenizerJson.integer(node, "start");
                int stop = TokenizerJson.integer(node, "stop");
                yield tokens -> tokens.stream().map(t -> strip(t, strip, start, stop)).toList();
            }
            case "Metaspace" -> {
                int replacement = TokenizerJson.character(node, "replacement");
                JsonNode scheme = node.get("prepend_scheme");
                boolean prepends = TokenizerJson.absent(scheme) ? node.path("add_prefix_space").asBoolean(true)
                        : !scheme.asString().equals("never");
                yield tokens -> metaspace(tokens, replacement, prepends);
            }
            case "Sequence" -> {
                List<UnaryOperator<List<String>>> steps = new ArrayList<>();
                for (JsonNode step : TokenizerJson.list(node, "decoders")) steps.add(step(step));
                yield tokens -> {
                    for (UnaryOperator<List<String>> s : steps) tokens = s.apply(tokens);
                    return tokens;
                };
            }
            default -> throw new IllegalArgumentException("decoder \"" + type + "\" is not supported"
                    + " (supported: ByteLevel, Replace, ByteFallback, Fuse, Strip, Metaspace, Sequence)");
        };
    }

    /** All tokens' bytes (a token not written in byte-level characters gives its own UTF-8), decoded as one text. */
    private static List<String> byteLevel(List<String> tokens) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (String token : tokens) bytes.writeBytes(ByteLevel.bytesOfToken(token));
        return List.of(Utf8Replacing.decode(bytes.toByteArray()));
    }

    /**
     * Runs of {@code <0xXX>} tokens become the text of their bytes; a run that is not valid UTF-8 becomes one
     * U+FFFD per byte (Hugging Face replaces the whole run, byte by byte).
     */
    private static List<String> byteFallback(List<String> tokens) {
        List<String> out = new ArrayList<>();
        ByteArrayOutputStream run = new ByteArrayOutputStream();
        for (String token : tokens) {
            int b = byteToken(token);
            if (b >= 0) {
                run.write(b);
                continue;
            }
            flush(run, out);
            out.add(token);
        }
        flush(run, out);
        return out;
    }

    private static void flush(ByteArrayOutputStream run, List<String> out) {
        if (run.size() == 0) return;
        byte[] bytes = run.toByteArray();
        run.reset();
        try {
            out.add(StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString());
        } catch (java.nio.charset.CharacterCodingException e) {
            for (int i = 0; i < bytes.length; i++) out.add(String.valueOf(Utf8Replacing.REPLACEMENT));
        }
    }

    /** The byte of a {@code <0xXX>} token, or -1 for any other token. */
    private static int byteToken(String token) {
        if (token.length() != 6 || !token.startsWith("<0x") || token.charAt(5) != '>') return -1;
        int hi = Character.digit(token.charAt(3), 16);
        int lo = Character.digit(token.charAt(4), 16);
        return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
    }

    private static String strip(String token, int c, int start, int stop) {
        int from = 0;
        int to = token.length();
        for (int i = 0; i < start && from < to && token.codePointAt(from) == c; i++) from += Character.charCount(c);
        for (int i = 0; i < stop && to > from && token.codePointBefore(to) == c; i++) to -= Character.charCount(c);
        return token.substring(from, to);
    }

    /** {@code ▁} becomes a space, except in the first token where (if the pre-tokenizer put it there) it is dropped. */
    private static List<String> metaspace(List<String> tokens, int replacement, boolean prepends) {
        List<String> out = new ArrayList<>(tokens.size());
        for (int i = 0; i < tokens.size(); i++) {
            String token = tokens.get(i);
            StringBuilder b = new StringBuilder(token.length());
            for (int k = 0; k < token.length(); ) {
                int c = token.codePointAt(k);
                k += Character.charCount(c);
                if (c != replacement) b.appendCodePoint(c);
                else if (!(i == 0 && prepends)) b.append(' ');
            }
            out.add(b.toString());
        }
        return out;
    }
}
