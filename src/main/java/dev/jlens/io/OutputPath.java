package dev.jlens.io;

import dev.jlens.util.Text;

import dev.jlens.JlensException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * What an output path really names, and whether replacing it would destroy something: a symbolic link is
 * followed to the file it names (the link stays), and a device, pipe, socket, a process's file descriptor
 * ({@code /dev/stdout}) or a read-only file is refused. Read-only is judged from the mode bits, not from
 * {@code access()}, because root may write anything: a file nobody may write is one its owner means to keep.
 */
final class OutputPath {
    private static final int MAX_LINKS = 40;   // as the kernel's ELOOP limit
    private static final Set<PosixFilePermission> WRITE_BITS =
            EnumSet.of(PosixFilePermission.OWNER_WRITE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);

    private OutputPath() {}

    /** The file a write to {@code file} replaces: {@code file} itself, or what its chain of symbolic links names. */
    static Path target(Path file) {
        Path p = file.toAbsolutePath();
        for (int links = 0; Files.isSymbolicLink(p); links++) {
            if (links == MAX_LINKS) throw new JlensException(Text.oneLine(file + ": cannot be written (too many levels of symbolic links)"));
            try {
                p = p.resolveSibling(Files.readSymbolicLink(p));
            } catch (IOException e) {
                throw new JlensException(Text.oneLine(file + ": cannot be written (its link cannot be read: " + e.getMessage() + ")"), e);
            }
            if (p.normalize().startsWith("/proc")) {
                throw new AtomicFile.NotARegularFile(Text.oneLine(file + ": is a file descriptor of this process (" + p + "), not a file"));
            }
        }
        return p;
    }

    /** Refuses {@code file} (as given; {@code target} is what it names) unless a new file may be put in its place. */
    static void check(Path file, Path target) {
        if (Files.isDirectory(target)) throw new JlensException(Text.oneLine(file + ": is a folder; give the name of a file to write"));
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new AtomicFile.NotARegularFile(Text.oneLine(file + ": is " + kind(target) + ", not a regular file"));
            }
            readOnly(target).ifPresent(mode -> {
                throw new JlensException(Text.oneLine(file + ": is read-only (" + mode + "); make it writable or choose another name"));
            });
        }
        Path parent = target.getParent();
        if (parent == null) throw new JlensException(Text.oneLine(file + ": cannot be written (not a file name)"));
        if (!Files.exists(parent)) throw new JlensException(Text.oneLine(file + ": cannot be written (folder " + parent + " does not exist)"));
        if (!Files.isDirectory(parent)) throw new JlensException(Text.oneLine(file + ": cannot be written (" + parent + " is not a folder)"));
        if (!Files.isWritable(parent)) throw new JlensException(Text.oneLine(file + ": cannot be written (folder " + parent + " is not writable)"));
    }

    /** The file's mode in {@code ls -l} letters when nobody may write it (or access() says this process may not). */
    private static java.util.Optional<String> readOnly(Path file) {
        try {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
            if (!Files.isWritable(file) || mode.stream().noneMatch(WRITE_BITS::contains)) {
                return java.util.Optional.of(PosixFilePermissions.toString(mode));
            }
        } catch (UnsupportedOperationException e) {
            if (!Files.isWritable(file)) return java.util.Optional.of("not writable");
        } catch (IOException e) {
            return java.util.Optional.empty();   // the write itself will say what is wrong
        }
        return java.util.Optional.empty();
    }

    /** "a character device", "a pipe (FIFO)", ... from the file type bits of {@code st_mode}. */
    private static String kind(Path file) {
        try {
            int mode = (Integer) Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return switch (mode & 0170000) {
                case 0020000 -> "a character device";
                case 0060000 -> "a block device";
                case 0010000 -> "a pipe (FIFO)";
                case 0140000 -> "a socket";
                default -> "a special file";
            };
        } catch (IOException | RuntimeException e) {
            return "a special file";
        }
    }
}
