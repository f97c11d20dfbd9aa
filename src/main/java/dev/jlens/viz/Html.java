package dev.jlens.viz;

/**
 * Escaping of user text (prompts, tokens, titles) for HTML, SVG/XML and inline JSON. Tokens may hold
 * {@code <}, {@code &}, quotes, newlines and control characters; none of them can end an element, an
 * attribute or a script.
 */
public final class Html {
    private Html() {}

    /** Text for an HTML or XML element body or a quoted attribute value. */
    public static String escape(String s) {
        if (s == null) return "";
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> {
                    if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                        b.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c) || !xmlAllowed(c)) {
                        b.append('\uFFFD');
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    /** Characters XML 1.0 allows (HTML tolerates more, but SVG must parse as XML). */
    private static boolean xmlAllowed(char c) {
        return c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c != 0xFFFE && c != 0xFFFF);
    }

    /**
     * A token as figures show it: whitespace that would vanish or break a label is made visible
     * ({@code \n} for a newline, {@code \t}, {@code \r}); other control characters as {@code \xNN}.
     * Spaces stay (a leading space is part of a GPT-2 token).
     */
    public static String visibleToken(String token) {
        StringBuilder b = new StringBuilder(token.length());
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                default -> {
                    if (c < 0x20 || c == 0x7f) b.append(String.format("\\x%02x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.toString();
    }
}
