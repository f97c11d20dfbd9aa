package dev.jlens.tokenizer;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GPT-2's pre-tokenization: cuts text into the pieces that BPE then encodes one by one (contractions, a word with
 * its leading space, a number, a run of punctuation, runs of whitespace), with the pattern of OpenAI's
 * {@code encoder.py}, which Hugging Face's ByteLevel pre-tokenizer runs with Oniguruma.
 *
 * <p>Java's regex agrees with Oniguruma here only with {@link Pattern#UNICODE_CHARACTER_CLASS}; without it
 * {@code \s} is ASCII-only and U+00A0, U+3000 etc. would be cut wrongly. What was checked, against Hugging Face
 * {@code tokenizers} 0.21.4 (Rust, Oniguruma built with Unicode 16.0 data, run through its JNI build) on JDK 25
 * (also Unicode 16.0):
 * <ul>
 *   <li>Every code point U+0000..U+10FFFF except surrogates, placed between letters, digits, punctuation, spaces
 *       and newlines: the pieces (Hugging Face's word ids) were identical for all of them, and so were the ids.
 *   <li>{@code \s} is the Unicode White_Space property in both: U+0009..U+000D, U+0020, U+0085, U+00A0, U+1680,
 *       U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000. Not U+001C..U+001F (which Python's {@code re},
 *       {@code str.isspace()} and Java's {@code Character.isWhitespace} do count as space), not U+180E (a format
 *       character since Unicode 6.3), U+200B or U+FEFF: those fall in {@code [^\s\p{L}\p{N}]}.
 *   <li>{@code \p{L}} is the Letter category only: combining marks (Mn, Mc, Me) are not letters, so a decomposed
 *       "e\u0301" is cut into "e" and the mark, and the mark joins a following punctuation run.
 *   <li>{@code \p{N}} is Nd, Nl and No in both: Arabic-Indic digits, superscript two, Roman numerals are numbers.
 *   <li>Differences can only come from a different Unicode version: a JDK newer than 25 may know letters that the
 *       reference Oniguruma does not (they then count as "other" there). Python's slow GPT-2 tokenizer uses the
 *       {@code regex} module, whose Unicode tables also follow its own release.
 * </ul>
 */
final class PreTokenizer {
    static final String GPT2_PATTERN =
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    private static final Pattern PATTERN = Pattern.compile(GPT2_PATTERN, Pattern.UNICODE_CHARACTER_CLASS);

    /** Receives the pieces, as {@code [start, end)} char ranges of the text, in order. */
    @FunctionalInterface
    interface PieceSink {
        void piece(int start, int end);
    }

    private PreTokenizer() {
    }

    /**
     * Sends the pieces of {@code text[from, to)} to {@code sink}. The range is pre-tokenized on its own, as Hugging
     * Face does for each stretch between special tokens: the look-ahead in {@code \s+(?!\S)} sees the end of the
     * range as the end of the text (opaque bounds, Java's default).
     */
    static void split(CharSequence text, int from, int to, PieceSink sink) {
        Matcher matcher = PATTERN.matcher(text).region(from, to);
        int expected = from;
        while (matcher.find()) {
            // The alternatives cover every character (each is whitespace, a letter, a number or none of those),
            // so the matches tile the range; Hugging Face would also keep an unmatched gap as its own piece.
            if (matcher.start() > expected) {
                sink.piece(expected, matcher.start());
            }
            sink.piece(matcher.start(), matcher.end());
            expected = matcher.end();
        }
        if (expected < to) {
            sink.piece(expected, to);
        }
    }
}
