package dev.jlens.io;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The named temporary files of atomic writes, {@code .<name>.<pid>.<uuid>.partial} beside the target. The ones
 * this process is writing are known, so an exit on a signal can delete them ({@link #deleteInFlight}, which a
 * program's shutdown hook calls); the ones of a process that died without that chance (SIGKILL) are deleted by
 * the next write into the same folder, which can tell from the pid in the name that their writer is gone.
 */
final class Temporaries {
    private static final Pattern NAME = Pattern.compile(
            "\\..*\\.(\\d{1,10})\\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\.partial");
    /** Keeps a temporary name within the 255 bytes of a file name on common file systems. */
    private static final int MAX_NAME_CHARS = 100;
    private static final Set<Path> IN_FLIGHT = ConcurrentHashMap.newKeySet();

    private Temporaries() {}

    /** A fresh temporary name beside {@code target}, recorded as in flight until {@link #done}. */
    static Path start(Path target) {
        String name = String.valueOf(target.getFileName());
        if (name.length() > MAX_NAME_CHARS) name = name.substring(0, MAX_NAME_CHARS);
        Path temporary = target.resolveSibling("." + name + "." + ProcessHandle.current().pid() + "." + UUID.randomUUID() + ".partial");
        IN_FLIGHT.add(temporary);
        return temporary;
    }

    /** Deletes the temporary if it is still there and forgets it. */
    static void done(Path temporary) {
        try {
            Files.deleteIfExists(temporary);
        } catch (IOException ignored) {
            // The write's own outcome matters more than a leftover temporary file, which the next writer removes.
        } finally {
            IN_FLIGHT.remove(temporary);
        }
    }

    /** Deletes the temporaries this process is writing; for a shutdown hook (a write cut short by SIGINT or SIGTERM). */
    static void deleteInFlight() {
        for (Path temporary : IN_FLIGHT) done(temporary);
    }

    /** Deletes the temporaries in {@code folder} whose writing process is no longer running. */
    static void deleteStale(Path folder) {
        long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, ".*.partial")) {
            for (Path file : files) {
                Matcher m = NAME.matcher(file.getFileName().toString());
                if (!m.matches()) continue;
                long pid = Long.parseLong(m.group(1));
                if (pid == self || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) continue;
                Files.deleteIfExists(file);
            }
        } catch (IOException | RuntimeException ignored) {
            // Tidying is best effort: an unreadable folder fails the write itself with a better message.
        }
    }
}
