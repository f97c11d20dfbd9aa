package dev.jlens.util;

/** Keeps messages to one readable line, whatever strings a hostile file or a library's exception puts into them. */
public final class Text {

    private static final int MAX_QUOTED = 200;

    private Text() {
    }

    /** {@code s} in single quotes, control characters escaped, cut short if very long: a name read from a file. */
    public static String quote(String s) {
        String shown = s.length() > MAX_QUOTED ? s.substring(0, MAX_QUOTED) + "..." : s;
        return "'" + escapeControls(shown) + "'";
    }

    /**
     * A message on one line: each line break, with the blanks around it, becomes one space, other control
     * characters are escaped, and blanks at either end go; a missing message ({@code null}) is "unknown error".
     */
    public static String oneLine(String s) {
        if (s == null) return "unknown error";
        return escapeControls(s.replaceAll("\\h*\\R\\h*", " ")).strip();
    }

    /** An exception as "SimpleName: message", on one line. */
    public static String describe(Throwable t) {
        String message = t.getMessage();
        String name = t.getClass().getSimpleName();
        return oneLine(message == null ? name : name + ": " + message);
    }

    /** Control characters and the Unicode line and paragraph separators as backslash escapes, the rest as is. */
    public static String escapeControls(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                if (out == null) {
                    out = new StringBuilder(s.length() + 16).append(s, 0, i);
                }
                switch (c) {
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    default -> out.append(String.format("\\u%04x", (int) c));
                }
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? s : out.toString();
    }
}
