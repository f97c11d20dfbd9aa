package dev.jlens.io;

import dev.jlens.util.Text;

import dev.jlens.JlensException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.channels.WritableByteChannel;
import java.nio.file.LinkOption;
import java.util.Optional;

/**
 * Writes a file whole or not at all: the content goes to a temporary file in the target's folder, is forced to
 * disk, and is renamed over the target, and then the folder is forced too, so that the rename survives a power
 * cut. A failure leaves the target as it was and no temporary file behind, so a half-written output is never
 * presented as whole. On Linux the temporary file has no name until it is complete ({@link UnnamedFile}), so
 * even SIGKILL leaves nothing; elsewhere it is {@code .<name>.<pid>.<uuid>.partial}, deleted by
 * {@link #deleteTemporariesInFlight} (a program's shutdown hook) or by the next write into the folder.
 *
 * <p>{@link #write} is for outputs a user named: it follows symbolic links to the file they name and refuses to
 * replace a device, pipe, socket or read-only file. {@link #replace} is the bare primitive for files a program
 * owns (the Hub cache's refs and snapshot copies).
 */
public final class AtomicFile {
    /** Writes the content to the (temporary) channel. */
    @FunctionalInterface
    public interface Body {
        void writeTo(FileChannel out) throws IOException;
    }

    /** The output is a device, pipe, socket or file descriptor: something to stream to, never to replace. */
    public static final class NotARegularFile extends JlensException {
        NotARegularFile(String message) {
            super(message);
        }
    }

    private AtomicFile() {}

    /**
     * Sets up what writing a file whole takes (native calls that take the JVM tens of milliseconds to link), so
     * that a program can have it done on a spare thread while it does its work, before its first write.
     */
    public static void prepare() {
        UnnamedFile.prepare();
    }

    /**
     * Fails with a one-line message unless {@code file} could be written without destroying anything: its folder
     * exists and is writable, and it is not a folder, device, pipe, socket or read-only file (a symbolic link is
     * judged by the file it names). Commands call it before their work, so that a bad {@code --out} costs nothing.
     */
    public static void requireWritable(Path file) {
        OutputPath.check(file, OutputPath.target(file));
    }

    /** The file a write to {@code file} would replace: the end of its chain of symbolic links, or itself. */
    public static Path target(Path file) {
        return OutputPath.target(file);
    }

    /** Writes {@code file} (the file it names, if it is a symbolic link) whole or not at all, after {@link #requireWritable}'s checks. */
    public static void write(Path file, Body body) {
        Path target = OutputPath.target(file);
        OutputPath.check(file, target);
        try {
            replace(target, body);
        } catch (JlensException e) {
            throw e;
        } catch (IOException e) {
            throw new JlensException(Text.oneLine(file + ": cannot be written (" + reason(e, target) + ")"), e);
        } catch (RuntimeException e) {
            throw new JlensException(Text.oneLine(file + ": cannot be written (" + Text.describe(e) + ")"), e);
        }
    }

    /**
     * Puts a file with {@code body}'s content at {@code target} atomically, replacing whatever is there (a symbolic
     * link included, which is replaced, not followed): a temporary file, forced to disk, renamed, the folder forced.
     */
    public static void replace(Path target, Body body) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path folder = absolute.getParent();
        if (folder == null) throw new IOException(target + ": not a file name");
        Temporaries.deleteStale(folder);
        Optional<UnnamedFile> unnamed = UnnamedFile.create(folder);
        if (unnamed.isPresent()) {
            try (UnnamedFile file = unnamed.get()) {
                body.writeTo(file.channel());
                file.channel().force(true);
                if (Files.exists(absolute, LinkOption.NOFOLLOW_LINKS) || !file.linkAs(absolute)) {
                    Path temporary = Temporaries.start(absolute);
                    try {
                        if (!file.linkAs(temporary)) throw new IOException(temporary + ": already exists");
                        Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    } finally {
                        Temporaries.done(temporary);
                    }
                }
            }
        } else {
            Path temporary = Temporaries.start(absolute);
            try {
                try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    body.writeTo(out);
                    out.force(true);
                }
                Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Temporaries.done(temporary);
            }
        }
        forceFolder(folder);
    }

    /** Deletes the named temporary files of writes still under way; a program calls it from its shutdown hook. */
    public static void deleteTemporariesInFlight() {
        Temporaries.deleteInFlight();
    }

    /** Makes a rename in {@code folder} durable: fsync on the folder itself (possible on Linux and the BSDs). */
    public static void forceFolder(Path folder) throws IOException {
        FileChannel channel;
        try {
            channel = FileChannel.open(folder, StandardOpenOption.READ);
        } catch (IOException | UnsupportedOperationException e) {
            return;   // an OS where a folder cannot be opened (Windows) makes renames durable by itself
        }
        try (channel) {
            channel.force(true);
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
        write(file, copyOf(source));
    }

    /** A body that copies {@code source}. */
    public static Body copyOf(Path source) {
        return out -> {
            try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ)) {
                long at = 0, n;
                while ((n = in.transferTo(at, Long.MAX_VALUE - at, out)) > 0) at += n;
            }
        };
    }

    public static void writeFully(WritableByteChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) out.write(buffer);
    }
}
