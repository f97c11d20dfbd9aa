package dev.jlens.tokenizer;

/**
 * Decodes UTF-8 the way Python's {@code bytes.decode("utf-8", errors="replace")} and Rust's
 * {@code String::from_utf8_lossy} (which Hugging Face's ByteLevel decoder uses) do: each <em>maximal subpart</em> of
 * an ill-formed sequence becomes one U+FFFD (Unicode's "best practice", chapter 3, "U+FFFD Substitution of Maximal
 * Subparts"). A single GPT-2 token is often part of a character, so {@code to_str_tokens} output depends on the
 * exact count of U+FFFD.
 *
 * <p>Written by hand rather than with {@link java.nio.charset.CharsetDecoder}, whose replacement count for some
 * ill-formed input is not specified to follow that practice.
 */
final class Utf8Replacing {
    static final char REPLACEMENT = '\uFFFD';

    private Utf8Replacing() {
    }

    static String decode(byte[] bytes) {
        return decode(bytes, 0, bytes.length);
    }

    static String decode(byte[] bytes, int from, int to) {
        StringBuilder out = new StringBuilder(to - from);
        int i = from;
        while (i < to) {
            int b0 = bytes[i] & 0xFF;
            if (b0 < 0x80) {
                out.append((char) b0);
                i++;
                continue;
            }
            int length;
            int secondLow = 0x80;
            int secondHigh = 0xBF;
            if (b0 >= 0xC2 && b0 <= 0xDF) {
                length = 2;
            } else if (b0 >= 0xE0 && b0 <= 0xEF) {
                length = 3;
                if (b0 == 0xE0) {
                    secondLow = 0xA0; // below: an overlong form
                } else if (b0 == 0xED) {
                    secondHigh = 0x9F; // above: a UTF-16 surrogate
                }
            } else if (b0 >= 0xF0 && b0 <= 0xF4) {
                length = 4;
                if (b0 == 0xF0) {
                    secondLow = 0x90; // below: an overlong form
                } else if (b0 == 0xF4) {
                    secondHigh = 0x8F; // above: past U+10FFFF
                }
            } else {
                // A continuation byte with no lead, C0/C1 (only overlong forms) or F5..FF (never valid).
                out.append(REPLACEMENT);
                i++;
                continue;
            }
            // Accept continuation bytes while they can still extend a well-formed sequence; stop at the first that
            // cannot. The bytes accepted so far are the maximal subpart, replaced by one U+FFFD; the byte that
            // stopped us is read again as the start of what follows.
            int codePoint = b0 & (0xFF >> (length + 1));
            int accepted = 1;
            while (accepted < length && i + accepted < to) {
                int b = bytes[i + accepted] & 0xFF;
                int low = accepted == 1 ? secondLow : 0x80;
                int high = accepted == 1 ? secondHigh : 0xBF;
                if (b < low || b > high) {
                    break;
                }
                codePoint = (codePoint << 6) | (b & 0x3F);
                accepted++;
            }
            if (accepted == length) {
                out.appendCodePoint(codePoint);
            } else {
                out.append(REPLACEMENT);
            }
            i += accepted;
        }
        return out.toString();
    }
}
