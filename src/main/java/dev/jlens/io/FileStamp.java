package dev.jlens.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What the kernel says of a file that changes whenever its content can have: its real path, file key (device and
 * inode), size, modification and status-change times. The status-change time (ctime) is set by the kernel on every
 * write, rename or attribute change and cannot be set back by {@code touch} or {@code tar}, so a file rewritten
 * under the same name, size and mtime gets another stamp. Memos keyed by a stamp (a file's hash, "its checksums
 * were verified") are kept only for a file that was {@linkplain #settledBefore settled}: a change within the clock
 * tick of the last one could leave every time as it was (git's "racy clean").
 *
 * @param key     the tuple, one field a line
 * @param changed the ctime
 */
public record FileStamp(String key, Instant changed) {
    /** Longer than the coarsest clock tick file times are taken from (10 ms on Linux at 100 Hz). */
    static final Duration SETTLED = Duration.ofMillis(100);

    /** The stamp of a file by its real path, or empty where the file system has no ctime (not a Unix one). */
    public static Optional<FileStamp> of(Path real) throws IOException {
        return of(real, Files.readAttributes(real, BasicFileAttributes.class));
    }

    static Optional<FileStamp> of(Path real, BasicFileAttributes a) throws IOException {
        Object ctime;
        try {
            ctime = Files.getAttribute(real, "unix:ctime");
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return Optional.empty();
        }
        if (!(ctime instanceof FileTime changed) || a.fileKey() == null) return Optional.empty();
        return Optional.of(new FileStamp(String.join("\n", real.toString(), a.fileKey().toString(), Long.toString(a.size()),
                a.lastModifiedTime().toString(), changed.toString()), changed.toInstant()));
    }

    /** Whether the file was last changed at least a clock tick before {@code start} (when its reading began). */
    public boolean settledBefore(Instant start) {
        return changed.isBefore(start.minus(SETTLED));
    }
}
