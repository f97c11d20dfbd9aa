package dev.jlens.io;

import dev.jlens.JlensException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Writes a file whole or not at all: the content goes to a temporary file beside the target, is forced
 * to disk, and is moved over the target atomically. A failure leaves the target as it was and no
 * temporary file behind, so a half-written output is never presented as whole.
 */
public final class AtomicFile {
    /** Writes the content to the (temporary) channel. */
    @FunctionalInterface
    public interface Body {
        void writeTo(FileChannel out) throws IOException;
    }

    private AtomicFile() {}

    public static void write(Path file, Body body) {
        String name = String.valueOf(file.getFileName());
        Path target = file.toAbsolutePath();
        Path temporary = target.resolveSibling("." + name + "." + UUID.randomUUID() + ".partial");
        boolean moved = false;
        try {
            try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                body.writeTo(out);
                out.force(true);
            }
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
        } catch (JlensException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new JlensException(Text.oneLine(file + ": cannot be written (" + Text.describe(e) + ")"), e);
        } finally {
            if (!moved) deleteQuietly(temporary);
        }
    }

    public static void writeString(Path file, String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        write(file, out -> writeFully(out, ByteBuffer.wrap(bytes)));
    }

    static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) out.write(buffer);
    }

    private static void deleteQuietly(Path temporary) {
        try {
            Files.deleteIfExists(temporary);
        } catch (IOException ignored) {
            // The write already failed; its message matters more than a leftover temporary file.
        }
    }
}
