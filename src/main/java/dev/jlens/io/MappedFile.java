package dev.jlens.io;

import dev.jlens.util.Text;

import dev.jlens.JlensException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * A whole file mapped read-only into a shared arena, so that several threads can read it and one
 * {@link #close()} unmaps it. Also the single place that turns problems into one-line messages naming
 * the file.
 */
final class MappedFile implements AutoCloseable {

    private final Path path;
    private final String displayName;
    private final Arena arena;
    private final MemorySegment bytes;
    private final AtomicBoolean closed = new AtomicBoolean();

    private MappedFile(Path path, Arena arena, MemorySegment bytes) {
        this.path = path;
        this.displayName = displayName(path);
        this.arena = arena;
        this.bytes = bytes;
    }

    static MappedFile open(Path path) {
        Objects.requireNonNull(path, "path");
        String name = displayName(path);
        if (Files.isDirectory(path)) {
            throw new JlensException(name + ": is a directory, not a weights file");
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            Arena arena = Arena.ofShared();
            try {
                // A zero-length mapping is not portable; an empty heap segment behaves the same for reading.
                MemorySegment bytes = size == 0
                        ? MemorySegment.ofArray(new byte[0])
                        : channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
                return new MappedFile(path, arena, bytes);
            } catch (IOException | RuntimeException e) {
                arena.close();
                throw e;
            }
        } catch (NoSuchFileException e) {
            throw new JlensException(name + ": does not exist", e);
        } catch (AccessDeniedException e) {
            throw new JlensException(name + ": cannot be read (permission denied)", e);
        } catch (IOException | RuntimeException e) {
            throw new JlensException(name + ": cannot be opened (" + Text.describe(e) + ")", e);
        }
    }

    /**
     * Runs a reader over this file. Whatever goes wrong, the mapping is released and the caller sees a
     * JlensException: a reader's own messages as they are, anything unforeseen (a bug, really) labeled
     * "unexpected" so that tests can tell the two apart.
     */
    <T> T parse(Function<MappedFile, T> reader) {
        try {
            return reader.apply(this);
        } catch (Throwable t) {
            close();
            throw asJlensException(t);
        }
    }

    /** The same contract as {@link #parse} for reads from an open file. */
    JlensException asJlensException(Throwable t) {
        return switch (t) {
            case JlensException e -> e;
            case IllegalStateException e when closed.get() -> new JlensException(displayName + ": was closed while being read", e);
            // The JVM reports a page fault on a mapping (the file shrank under us) as InternalError.
            case InternalError e -> new JlensException(displayName + ": changed or was truncated while being read", e);
            case RuntimeException e -> unexpected(e);
            case StackOverflowError e -> unexpected(e);
            case Error e -> throw e;
            default -> unexpected(t);
        };
    }

    private JlensException unexpected(Throwable t) {
        return new JlensException(displayName + ": cannot be read (unexpected " + Text.describe(t) + ")", t);
    }

    /** A JlensException "{@code file: detail}", on one line. */
    JlensException error(String detail) {
        return new JlensException(Text.oneLine(displayName + ": " + detail));
    }

    void ensureOpen() {
        if (closed.get()) {
            throw new JlensException(displayName + ": is closed");
        }
    }

    Path path() {
        return path;
    }

    String displayName() {
        return displayName;
    }

    MemorySegment bytes() {
        return bytes;
    }

    long size() {
        return bytes.byteSize();
    }

    /**
     * Tells the OS that {@code [offset, offset+length)} will not be read again soon: its pages leave this
     * process's resident memory (they stay in the page cache and come back if read). Loading reads each
     * tensor once, so a 3 GB checkpoint no longer stays resident beside the weights made from it.
     */
    void release(long offset, long length) {
        if (!bytes.isMapped() || length <= 0) return;
        bytes.asSlice(offset, length).unload();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            arena.close();
        }
    }

    private static String displayName(Path path) {
        Path fileName = path.getFileName();
        return fileName == null ? path.toString() : fileName.toString();
    }
}
