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

    /**
     * Fails with a one-line message unless {@code file} could be written: its folder exists and is a folder, and
     * the file itself is not a folder. Commands call it before their work, so that a bad {@code --out} costs nothing.
     */
    public static void requireWritable(Path file) {
        Path target = file.toAbsolutePath();
        if (Files.isDirectory(target)) throw new JlensException(Text.oneLine(file + ": is a folder; give the name of a file to write"));
        Path parent = target.getParent();
        if (parent == null) throw new JlensException(Text.oneLine(file + ": cannot be written (not a file name)"));
        if (!Files.exists(parent)) throw new JlensException(Text.oneLine(file + ": cannot be written (folder " + parent + " does not exist)"));
        if (!Files.isDirectory(parent)) throw new JlensException(Text.oneLine(file + ": cannot be written (" + parent + " is not a folder)"));
        if (!Files.isWritable(parent)) throw new JlensException(Text.oneLine(file + ": cannot be written (folder " + parent + " is not writable)"));
    }

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
        } catch (IOException e) {
            throw new JlensException(Text.oneLine(file + ": cannot be written (" + reason(e, target) + ")"), e);
        } catch (RuntimeException e) {
            throw new JlensException(Text.oneLine(file + ": cannot be written (" + Text.describe(e) + ")"), e);
        } finally {
            if (!moved) deleteQuietly(temporary);
        }
    }

    /** What went wrong, in words rather than an exception's class name. */
    private static String reason(IOException e, Path target) {
        Path parent = target.getParent();
        if (Files.isDirectory(target)) return "it is a folder";
        if (parent != null && !Files.exists(parent)) return "folder " + parent + " does not exist";
        if (parent != null && !Files.isDirectory(parent)) return parent + " is not a folder";
        if (e instanceof java.nio.file.AccessDeniedException) return "permission denied";
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) return f.getReason();
        return e.getMessage() != null ? e.getMessage() : "input/output error";
    }

    public static void writeString(Path file, String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        write(file, out -> writeFully(out, ByteBuffer.wrap(bytes)));
    }

    /** Copies {@code source} to {@code file}, whole or not at all. */
    public static void copy(Path source, Path file) {
        write(file, out -> {
            try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ)) {
                long at = 0, n;
                while ((n = in.transferTo(at, Long.MAX_VALUE - at, out)) > 0) at += n;
            }
        });
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
