package dev.jlens.tokenizer;

/**
 * GPT-2's {@code bytes_to_unicode} table: every byte value gets a printable character so that BPE can work on
 * strings. Printable Latin-1 bytes ({@code !..~}, {@code ¡..¬}, {@code ®..ÿ}) stand for themselves; the other 68
 * bytes (controls, space, soft hyphen, ...) are moved to U+0100 onwards in byte order. So a space is {@code Ġ}
 * (U+0120) and a newline is {@code Ċ} (U+010A), which is how they appear in {@code vocab.json}.
 */
final class ByteLevel {
    private static final char[] CHAR_OF_BYTE = new char[256];
    /** Indexed by character; -1 where the character stands for no byte. Every mapped character is below U+0144. */
    private static final int[] BYTE_OF_CHAR = new int[0x144];

    static {
        java.util.Arrays.fill(BYTE_OF_CHAR, -1);
        int next = 0x100;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) next++;
            CHAR_OF_BYTE[b] = c;
            BYTE_OF_CHAR[c] = b;
        }
    }

    private ByteLevel() {
    }

    /** The character that stands for {@code b} (only the low 8 bits of {@code b} count). */
    static char charOf(int b) {
        return CHAR_OF_BYTE[b & 0xFF];
    }

    /** The byte that {@code c} stands for, or -1 if {@code c} is not one of the 256 byte-level characters. */
    static int byteOf(char c) {
        return c < BYTE_OF_CHAR.length ? BYTE_OF_CHAR[c] : -1;
    }

    /**
     * The bytes a token string stands for, as the Hugging Face ByteLevel decoder reads it: if every character is a
     * byte-level character, its bytes; otherwise (an added token written in plain text, say) the token's own UTF-8.
     */
    static byte[] bytesOfToken(String token) {
        byte[] bytes = new byte[token.length()];
        for (int i = 0; i < token.length(); i++) {
            int b = byteOf(token.charAt(i));
            if (b < 0) {
                return token.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            }
            bytes[i] = (byte) b;
        }
        return bytes;
    }
}
