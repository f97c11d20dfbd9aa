package dev.jlens.util;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code rich.print(text)} writes for one string to a console that is not a terminal (rich 14.3):
 * console markup applied (tags removed, styles dropped since a non-terminal gets no ANSI codes), emoji codes
 * replaced, the control characters rich strips removed, tabs expanded to stops of 8 cells, every line
 * word-wrapped to the console width exactly as {@code rich.text.Text.wrap} does, and each line ended with
 * {@code '\n'}.
 *
 * <p>The steps, as rich does them:
 * <ol>
 *   <li>Markup ({@code rich.markup.render}): a tag is {@code [} + a character of {@code a-z # / @} + anything
 *       up to the next {@code ]} that has no {@code [} before it. Other brackets ({@code [1]}, {@code [ ]},
 *       {@code []}, {@code [B]}) are text. An odd run of backslashes before a tag escapes it ({@code \[b]}
 *       prints {@code [b]}), an even run prints half as many backslashes and keeps the tag; in the text
 *       between tags every {@code \[} becomes {@code [}. {@code [/]} closes the newest open tag, {@code [/x]}
 *       the newest open tag whose style normalizes like {@code x}; a closing tag with nothing to close
 *       raises rich's {@code MarkupError}, here an {@link IllegalArgumentException} with rich's message.</li>
 *   <li>Emoji codes ({@code :name:}, {@code :name-emoji:}, {@code :name-text:}) in the text between tags are
 *       replaced from a table. rich's table (about 3,600 names) is not shipped with jlens: by default no code
 *       is replaced, and {@link #render(String, int, Map)} takes a table. No GPT-2 token contains a code
 *       that rich knows (all 50,257 were checked), and {@code test_prompt}'s own text has none, so its
 *       transcript never meets the gap.</li>
 *   <li>Bell, backspace, vertical tab, form feed and carriage return are deleted (rich's
 *       {@code strip_control_codes}); other control characters stay and take no cells.</li>
 *   <li>The text is split at {@code '\n'}; tabs expand to the next multiple of 8 cells.</li>
 *   <li>Each line is cut by {@code rich._wrap.divide_line}: words are runs of non-space followed by their
 *       spaces (the first word also takes the line's leading spaces); a word goes to a new line when its
 *       text without trailing spaces does not fit in what is left of the line; a word wider than the whole
 *       line is folded into pieces of at most {@code width} cells, never splitting a two-cell character.
 *       The spaces at a break stay at the end of the earlier line, then that line loses as many trailing
 *       spaces as it has code points beyond {@code width} ({@code Text.rstrip_end}); a line still wider
 *       than {@code width} cells is cut to it ({@code Text.truncate}, a half wide character becoming a
 *       space).</li>
 * </ol>
 * "Space" means Python's {@code str.isspace}; cells are rich's cell widths ({@link RichCells}).
 *
 * <p>Checked against rich 14.3.3 itself: the cases in RichTextTest, 114,874 {@code test_prompt}-shaped lines
 * (every GPT-2 token in a Rank line and in a Ranks line, and random multi-answer blocks at widths 40 to 115:
 * no difference) and 80,000 random markup strings (bracket, backslash, tab, wide, combining, control and
 * emoji characters, widths 1 to 81: differences only in the gaps below).
 *
 * <p>Not followed:
 * <ul>
 *   <li>terminal output (bold, colors, highlighting: jlens writes no ANSI codes) and Jupyter's width of 115;
 *   <li>rich's final crop of each line measures the styled segments one by one, and its highlighter cuts
 *       segments at brackets, quotes, numbers and more; a zero-width joiner or U+FE0F on such a cut in a line
 *       that fills the width can make rich drop a character more than jlens does (GPT-2 has no token with a
 *       joiner, and its lone U+FE0F token only ever follows a quote or a bar, which it does not widen);
 *   <li>the validation that rich does on styles and {@code @} meta tags: color names are not checked against
 *       rich's list, so a tag mixing an unknown color word with an alias, opened as {@code [b foo]} and
 *       closed as {@code [/bold foo]}, closes here where rich raises; and a {@code [@...]} tag whose
 *       parameters are not a Python literal raises in rich and not here.
 * </ul>
 */
public final class RichText {
    private RichText() {}

    /** Tab stops of rich's Console (its default {@code tab_size}). */
    static final int TAB_SIZE = 8;

    /** rich's {@code RE_TAGS}: {@code ((\\*)\[([a-z#/@][^[]*?)])}. */
    private static final Pattern TAG = Pattern.compile("((\\\\*)\\[([a-z#/@][^\\[]*?)])");

    /** Python's {@code \s} for str patterns, as a character class body. */
    private static final String PY_SPACE =
        "\\t\\n\\x0B\\f\\r\\x1C-\\x20\\x85\\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000";

    /** rich's emoji code pattern {@code (:(\S*?)(?:(?:\-)(emoji|text))?:)} with Python's {@code \S}. */
    private static final Pattern EMOJI_CODE =
        Pattern.compile("(:([^" + PY_SPACE + "]*?)(?:-(emoji|text))?:)");

    /**
     * The width rich gives a console it creates when the output is not a terminal: the {@code COLUMNS}
     * environment variable when it is a positive integer, else 80.
     *
     * <p>rich also asks the operating system for the size of the terminal behind stdin, stdout or stderr
     * (in that order) when {@code COLUMNS} is not set, so Python run from a terminal with stdout redirected
     * to a file wraps at the terminal's width. Java cannot ask for that; callers that must match such a run
     * should set {@code COLUMNS}. ({@code COLUMNS=0}, which rich takes as a width of 0 and then fails on, is
     * treated as unset.)
     */
    public static int consoleWidth() {
        return consoleWidth(System.getenv("COLUMNS"));
    }

    static int consoleWidth(String columns) {
        if (columns == null || columns.isEmpty() || !columns.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return 80;
        }
        String digits = columns.replaceFirst("^0+(?=.)", "");
        if (digits.length() > 9) {
            return Integer.MAX_VALUE;
        }
        int width = Integer.parseInt(digits);
        return width > 0 ? width : 80;
    }

    /**
     * Everything {@code rich.print(markup)} writes to a non-terminal console of the given width; every line,
     * the last included, ends with {@code '\n'}.
     *
     * @throws IllegalArgumentException for a closing tag that closes nothing (rich's MarkupError), or a
     *     width below 1
     */
    public static String render(String markup, int width) {
        return render(markup, width, Map.of());
    }

    /** As {@link #render(String, int)}, replacing emoji codes from {@code emoji} (name to emoji). */
    public static String render(String markup, int width, Map<String, String> emoji) {
        if (width < 1) {
            throw new IllegalArgumentException("width must be at least 1, got " + width);
        }
        String plain = stripMarkup(markup, emoji);
        StringBuilder out = new StringBuilder(plain.length() + 16);
        for (String line : plain.split("\n", -1)) {
            int[] cps = line.codePoints().toArray();
            if (line.indexOf('\t') >= 0) {
                cps = expandTabs(cps, TAB_SIZE);
            }
            for (String piece : wrapLine(cps, width)) {
                out.append(piece).append('\n');
            }
        }
        return out.toString();
    }

    /**
     * {@code rich.markup.render(markup).plain}: the text with tags removed, escapes resolved, and rich's
     * stripped control characters deleted (no emoji table; see {@link #stripMarkup(String, Map)}).
     *
     * @throws IllegalArgumentException with rich's MarkupError message, for a closing tag that closes nothing
     */
    public static String stripMarkup(String markup) {
        return stripMarkup(markup, Map.of());
    }

    /** As {@link #stripMarkup(String)}, replacing emoji codes from {@code emoji} (name to emoji). */
    public static String stripMarkup(String markup, Map<String, String> emoji) {
        Objects.requireNonNull(markup, "markup");
        Objects.requireNonNull(emoji, "emoji");
        if (markup.indexOf('[') < 0) {
            return stripControlCodes(replaceEmoji(markup, emoji));
        }
        StringBuilder text = new StringBuilder(markup.length());
        List<String> styleStack = new ArrayList<>();
        Matcher m = TAG.matcher(markup);
        int position = 0;
        while (m.find()) {
            int start = m.start();
            String escapes = m.group(2);
            if (start > position) {
                appendPlain(text, markup.substring(position, start), emoji);
            }
            if (!escapes.isEmpty()) {
                int backslashes = escapes.length() / 2;
                boolean escaped = escapes.length() % 2 == 1;
                if (backslashes > 0) {
                    appendPlain(text, "\\".repeat(backslashes), emoji);
                    start += backslashes * 2;
                }
                if (escaped) {
                    appendPlain(text, m.group(1).substring(escapes.length()), emoji);
                    position = m.end();
                    continue;
                }
            }
            String tagText = m.group(3);
            int eq = tagText.indexOf('=');
            String name = eq < 0 ? tagText : tagText.substring(0, eq);
            String tagMarkup = "[" + tagText + "]";
            int pyPosition = markup.codePointCount(0, start);
            if (name.startsWith("/")) {
                String styleName = pyStrip(name.substring(1));
                if (!styleName.isEmpty()) {
                    String normalized = normalizeStyle(styleName);
                    int index = styleStack.lastIndexOf(normalized);
                    if (index < 0) {
                        throw new IllegalArgumentException("closing tag '" + tagMarkup + "' at position "
                            + pyPosition + " doesn't match any open tag");
                    }
                    styleStack.remove(index);
                } else {
                    if (styleStack.isEmpty()) {
                        throw new IllegalArgumentException(
                            "closing tag '[/]' at position " + pyPosition + " has nothing to close");
                    }
                    styleStack.removeLast();
                }
            } else {
                styleStack.add(normalizeStyle(name));
            }
            position = m.end();
        }
        if (position < markup.length()) {
            appendPlain(text, markup.substring(position), emoji);
        }
        return text.toString();
    }

    private static void appendPlain(StringBuilder text, String plain, Map<String, String> emoji) {
        text.append(stripControlCodes(replaceEmoji(plain.replace("\\[", "["), emoji)));
    }

    /** rich's {@code _emoji_replace} with the given table (no default variant). */
    static String replaceEmoji(String text, Map<String, String> emoji) {
        if (emoji.isEmpty() || text.indexOf(':') < 0) {
            return text;
        }
        Matcher m = EMOJI_CODE.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        while (m.find()) {
            String found = emoji.get(m.group(2).toLowerCase(Locale.ROOT));
            String replacement;
            if (found == null) {
                replacement = m.group(1);
            } else if (m.group(3) == null) {
                replacement = found;
            } else {
                replacement = found + (m.group(3).equals("text") ? "\uFE0E" : "\uFE0F");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** rich's {@code strip_control_codes}: deletes U+0007, U+0008, U+000B, U+000C and U+000D. */
    static String stripControlCodes(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean strip = c == 7 || c == 8 || c == 11 || c == 12 || c == 13;
            if (strip && out == null) {
                out = new StringBuilder(text.length()).append(text, 0, i);
            } else if (!strip && out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }

    /** rich's {@code Text.expand_tabs} for one line (no {@code '\n'} inside). */
    static int[] expandTabs(int[] line, int tabSize) {
        List<Integer> out = new ArrayList<>(line.length + 16);
        int cellPosition = 0;
        int partStart = 0;
        for (int i = 0; i <= line.length; i++) {
            boolean tab = i < line.length && line[i] == '\t';
            if (!tab && i < line.length) {
                continue;
            }
            // The part is line[partStart, i], its tab (if any) replaced by a space.
            int[] part = new int[(tab ? i + 1 : i) - partStart];
            System.arraycopy(line, partStart, part, 0, part.length);
            if (tab) {
                part[part.length - 1] = ' ';
            }
            for (int cp : part) {
                out.add(cp);
            }
            cellPosition += RichCells.cellLen(part);
            if (tab) {
                int remainder = cellPosition % tabSize;
                if (remainder != 0) {
                    int spaces = tabSize - remainder;
                    for (int s = 0; s < spaces; s++) {
                        out.add((int) ' ');
                    }
                    cellPosition += spaces;
                }
            }
            partStart = i + 1;
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** One line (no {@code '\n'}) cut as {@code Text.wrap} does with justify "default" and overflow "fold". */
    static List<String> wrapLine(int[] line, int width) {
        List<Integer> offsets = divideLine(line, width);
        List<String> pieces = new ArrayList<>(offsets.size() + 1);
        int from = 0;
        for (int k = 0; k <= offsets.size(); k++) {
            int to = k < offsets.size() ? offsets.get(k) : line.length;
            int end = rstripEnd(line, from, to, width);
            int[] piece = Arrays.copyOfRange(line, from, end);
            if (RichCells.cellLen(piece) > width) {
                pieces.add(RichCells.cropToCells(piece, width));
            } else {
                pieces.add(new String(piece, 0, piece.length));
            }
            from = to;
        }
        return pieces;
    }

    /**
     * {@code rich._wrap.divide_line}: the code point offsets at which {@code line} breaks so that its pieces
     * fit in {@code width} cells.
     */
    static List<Integer> divideLine(int[] line, int width) {
        List<Integer> breaks = new ArrayList<>();
        int cellOffset = 0;
        int position = 0;
        int n = line.length;
        while (true) {
            // One word: \s*\S+\s* from position.
            int i = position;
            while (i < n && PyUnicode.isSpace(line[i])) {
                i++;
            }
            if (i == n) {
                break;
            }
            while (i < n && !PyUnicode.isSpace(line[i])) {
                i++;
            }
            int textEnd = i;
            while (i < n && PyUnicode.isSpace(line[i])) {
                i++;
            }
            int start = position;
            int end = i;
            position = end;

            int wordLength = RichCells.cellLen(line, start, textEnd);
            int remainingSpace = width - cellOffset;
            if (remainingSpace >= wordLength) {
                cellOffset += RichCells.cellLen(line, start, end);
            } else if (wordLength > width) {
                List<Integer> folded = RichCells.chopCells(line, start, end, width);
                for (int k = 0; k < folded.size(); k++) {
                    if (start != 0) {
                        breaks.add(start);
                    }
                    if (k == folded.size() - 1) {
                        cellOffset = RichCells.cellLen(line, start, start + folded.get(k));
                    } else {
                        start += folded.get(k);
                    }
                }
            } else if (cellOffset != 0 && start != 0) {
                breaks.add(start);
                cellOffset = RichCells.cellLen(line, start, end);
            }
        }
        return breaks;
    }

    /**
     * {@code Text.rstrip_end(size)} on {@code line[from, to)}: when the piece has more than {@code size} code
     * points, drops trailing whitespace, at most the excess. Returns the new end.
     */
    private static int rstripEnd(int[] line, int from, int to, int size) {
        int length = to - from;
        if (length <= size) {
            return to;
        }
        int whitespace = 0;
        while (to - whitespace > from && PyUnicode.isSpace(line[to - whitespace - 1])) {
            whitespace++;
        }
        return to - Math.min(whitespace, length - size);
    }

    /** Python's {@code str.strip()}. */
    static String pyStrip(String s) {
        int[] cps = s.codePoints().toArray();
        int a = 0;
        int b = cps.length;
        while (a < b && PyUnicode.isSpace(cps[a])) {
            a++;
        }
        while (b > a && PyUnicode.isSpace(cps[b - 1])) {
            b--;
        }
        return new String(cps, a, b - a);
    }

    // ---- Style.normalize ------------------------------------------------------------------------------

    private enum Attribute { BOLD, DIM, ITALIC, UNDERLINE, BLINK, BLINK2, REVERSE, CONCEAL, STRIKE, UNDERLINE2,
        FRAME, ENCIRCLE, OVERLINE }

    private static final Map<String, Attribute> ATTRIBUTES = Map.ofEntries(
        Map.entry("dim", Attribute.DIM), Map.entry("d", Attribute.DIM),
        Map.entry("bold", Attribute.BOLD), Map.entry("b", Attribute.BOLD),
        Map.entry("italic", Attribute.ITALIC), Map.entry("i", Attribute.ITALIC),
        Map.entry("underline", Attribute.UNDERLINE), Map.entry("u", Attribute.UNDERLINE),
        Map.entry("blink", Attribute.BLINK), Map.entry("blink2", Attribute.BLINK2),
        Map.entry("reverse", Attribute.REVERSE), Map.entry("r", Attribute.REVERSE),
        Map.entry("conceal", Attribute.CONCEAL), Map.entry("c", Attribute.CONCEAL),
        Map.entry("strike", Attribute.STRIKE), Map.entry("s", Attribute.STRIKE),
        Map.entry("underline2", Attribute.UNDERLINE2), Map.entry("uu", Attribute.UNDERLINE2),
        Map.entry("frame", Attribute.FRAME), Map.entry("encircle", Attribute.ENCIRCLE),
        Map.entry("overline", Attribute.OVERLINE), Map.entry("o", Attribute.OVERLINE));

    private static final Pattern COLOR = Pattern.compile("#[0-9a-f]{6}|color\\([0-9]{1,3}\\)|rgb\\([0-9, ]+\\)|[a-z0-9_]+");

    /**
     * rich's {@code Style.normalize}: the canonical text of a parsed style ({@code "b"} and {@code "bold"}
     * both give {@code "bold"}, {@code "red bold"} gives {@code "bold red"}), or the stripped lower-cased text
     * when it does not parse. Color names are not checked against rich's list: any word of letters, digits
     * and underscores counts as one.
     */
    static String normalizeStyle(String style) {
        String fallback = pyStrip(style).toLowerCase(Locale.ROOT);
        if (style.isEmpty() || pyStrip(style).equals("none")) {
            return "none";
        }
        List<String> words = pySplit(style);
        Map<Attribute, Boolean> attributes = new EnumMap<>(Attribute.class);
        String color = null;
        String bgcolor = null;
        String link = null;
        for (int i = 0; i < words.size(); i++) {
            String word = words.get(i).toLowerCase(Locale.ROOT);
            String next = i + 1 < words.size() ? words.get(i + 1) : "";
            switch (word) {
                case "on" -> {
                    i++;
                    String c = next.toLowerCase(Locale.ROOT);
                    if (next.isEmpty() || !isColor(c)) {
                        return fallback;
                    }
                    bgcolor = c;
                }
                case "not" -> {
                    i++;
                    Attribute a = ATTRIBUTES.get(next);
                    if (a == null) {
                        return fallback;
                    }
                    attributes.put(a, false);
                }
                case "link" -> {
                    i++;
                    if (next.isEmpty()) {
                        return fallback;
                    }
                    link = next;
                }
                default -> {
                    Attribute a = ATTRIBUTES.get(word);
                    if (a != null) {
                        attributes.put(a, true);
                    } else if (isColor(word)) {
                        color = word;
                    } else {
                        return fallback;
                    }
                }
            }
        }
        List<String> out = new ArrayList<>();
        attributes.forEach((a, on) -> out.add((on ? "" : "not ") + a.name().toLowerCase(Locale.ROOT)));
        if (color != null) {
            out.add(color);
        }
        if (bgcolor != null) {
            out.add("on");
            out.add(bgcolor);
        }
        if (link != null) {
            out.add("link");
            out.add(link);
        }
        return out.isEmpty() ? "none" : String.join(" ", out);
    }

    private static boolean isColor(String word) {
        return COLOR.matcher(word).matches();
    }

    /** Python's {@code str.split()}: runs of non-whitespace. */
    private static List<String> pySplit(String s) {
        List<String> words = new ArrayList<>();
        int[] cps = s.codePoints().toArray();
        int i = 0;
        while (i < cps.length) {
            while (i < cps.length && PyUnicode.isSpace(cps[i])) {
                i++;
            }
            int start = i;
            while (i < cps.length && !PyUnicode.isSpace(cps[i])) {
                i++;
            }
            if (i > start) {
                words.add(new String(cps, start, i - start));
            }
        }
        return words;
    }
}
