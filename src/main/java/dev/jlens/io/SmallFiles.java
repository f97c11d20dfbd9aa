package dev.jlens.io;

import dev.jlens.util.Text;

import dev.jlens.JlensException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the small files jlens takes as input (an experiment file, config.json, the tokenizer files) with a cap on
 * the bytes read, not only on the size the file system reports: a device or a pipe ({@code --spec /dev/zero},
 * {@code --spec <(yes)}) reports 0 bytes and would be read until the heap is full, and a file may grow after its
 * size was looked at. At most cap + 1 bytes are ever read.
 */
public final class SmallFiles {
    private SmallFiles() {}

    /**
     * All bytes of {@code file}, refused with one line when there are more than {@code maxBytes}; {@code kind}
     * names what the file should be, with its article ("an experiment file", "a config.json").
     */
    public static byte[] read(Path file, long maxBytes, String kind) throws IOException {
        try (InputStream in = open(file, maxBytes, kind)) {
            return in.readAllBytes();
        }
    }

    /**
     * The bytes of a file or request named {@code source} as text. They must be UTF-8: a lenient decoding would put
     * U+FFFD into the text unseen. A leading byte order mark, as some Windows editors write, is skipped.
     */
    public static String utf8(String source, byte[] bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new JlensException(source + ": not valid UTF-8 text");
        }
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    /** As {@link #read}, as a stream: reading past {@code maxBytes} throws the same one-line refusal. */
    public static InputStream open(Path file, long maxBytes, String kind) throws IOException {
        if (Files.isRegularFile(file)) {
            long size = Files.size(file);
            if (size > maxBytes) throw tooLarge(file, size + " bytes, ", maxBytes, kind);
        }
        return new Capped(Files.newInputStream(file), file, maxBytes, kind);
    }

    private static JlensException tooLarge(Path file, String size, long maxBytes, String kind) {
        return new JlensException(Text.oneLine(file + ": " + size + "more than the " + (maxBytes >> 20) + " MB " + kind
                + " may have; is this " + kind + "?"));
    }

    /** A stream that refuses to go past its cap; it asks for one byte more than the cap to see whether there is more. */
    private static final class Capped extends InputStream {
        private final InputStream in;
        private final Path file;
        private final long maxBytes;
        private final String kind;
        private long count;

        Capped(InputStream in, Path file, long maxBytes, String kind) {
            this.in = in;
            this.file = file;
            this.maxBytes = maxBytes;
            this.kind = kind;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) counted(1);
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (length == 0) return 0;
            int n = in.read(buffer, offset, (int) Math.min(length, maxBytes + 1 - count));
            if (n > 0) counted(n);
            return n;
        }

        private void counted(int n) {
            count += n;
            if (count > maxBytes) throw tooLarge(file, "", maxBytes, kind);
        }

        @Override
        public int available() throws IOException {
            return in.available();
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
