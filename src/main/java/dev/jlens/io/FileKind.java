package dev.jlens.io;

import dev.jlens.util.Text;

import dev.jlens.JlensException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What stands at a path where a file is expected and something else is there: a folder, a symbolic link to
 * nothing, a named pipe, a device. "M has no model.safetensors" would be wrong for these: the name is there.
 */
public final class FileKind {
    /** The file-type bits of a Unix mode (S_IFMT) and their values. */
    private static final int TYPE_BITS = 0170000, FIFO = 0010000, CHARACTER_DEVICE = 0020000, BLOCK_DEVICE = 0060000, SOCKET = 0140000;

    private FileKind() {}

    /**
     * Throws the line of {@link #notARegularFile} for the first of {@code paths} that exists as something other
     * than a regular file; returns when each is a regular file or absent.
     */
    public static void refuseOtherKinds(String what, Path... paths) {
        for (Path path : paths) {
            Optional<String> notAFile = notARegularFile(path, what);
            if (notAFile.isPresent()) throw new JlensException(notAFile.get());
        }
    }

    /**
     * One line saying what {@code path} is when it exists but is not a regular file, {@code what} being the file
     * it should be ("a weights file"); empty when it is a regular file or there is nothing there at all.
     */
    private static Optional<String> notARegularFile(Path path, String what) {
        if (Files.isRegularFile(path) || !Files.exists(path, LinkOption.NOFOLLOW_LINKS)) return Optional.empty();
        if (Files.isSymbolicLink(path) && !Files.exists(path)) return Optional.of(Text.oneLine(path + " is " + brokenLink(path)));
        if (Files.isDirectory(path)) return Optional.of(Text.oneLine(path + " is a folder, not " + what));
        return Optional.of(Text.oneLine(path + " is " + special(path) + ", not " + what));
    }

    private static String brokenLink(Path link) {
        Path target;
        try {
            target = Files.readSymbolicLink(link);
        } catch (IOException e) {
            return "a symbolic link that cannot be read (" + Text.describe(e) + ")";
        }
        Path resolved = link.resolveSibling(target);
        return Files.exists(resolved, LinkOption.NOFOLLOW_LINKS)
                ? "a symbolic link to " + target + ", which cannot be followed (a loop of links?)"
                : "a symbolic link to " + target + ", which does not exist";
    }

    private static String special(Path path) {
        try {
            int mode = (Integer) Files.getAttribute(path, "unix:mode");
            return switch (mode & TYPE_BITS) {
                case FIFO -> "a named pipe (FIFO)";
                case CHARACTER_DEVICE, BLOCK_DEVICE -> "a device";
                case SOCKET -> "a socket";
                default -> "a special file";
            };
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
            return "a special file (a pipe, device or socket)";
        }
    }
}
