package dev.jlens.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The files of jlens' own caches (processed weights, built tokenizers, memoized content hashes): one file
 * per identity, named by a hash of it; a file that does not check out deleted so that the next load
 * rebuilds it; and the folder kept tidy.
 *
 * <p>Tidy means: the folder's cache files stay under a size cap, the least recently used going first (a
 * load marks its file used by setting its modification time), and a temporary {@code *.partial} file that
 * has not been written to for {@link #STALE_PARTIAL} is removed: a live writer writes continuously, so
 * such a file was left by a writer that was killed.
 */
public final class CacheFiles {
    /** Memos that a file with a given {@link FileStamp} checked out (a weights file's checksums, say). */
    public static final String VERIFIED_EXTENSION = "verified";
    /** The extensions of the files a cache folder holds and the cap counts. */
    private static final Set<String> CACHE_EXTENSIONS = Set.of("jlw", "jlt", ContentId.MEMO_EXTENSION, VERIFIED_EXTENSION);
    /**
     * A file used this recently counts as just used: its modification time is not set again, since that changes
     * its status-change time and with it every memo keyed by its {@link FileStamp}. Eviction only needs the order
     * of use to within this.
     */
    static final Duration RECENTLY_USED = Duration.ofHours(1);
    /** A temporary file untouched this long belongs to no live writer. */
    public static final Duration STALE_PARTIAL = Duration.ofMinutes(10);
    /** The cache files this process has used or written: it never evicts them. */
    private static final Set<Path> IN_USE = ConcurrentHashMap.newKeySet();

    private CacheFiles() {}

    /** {@code folder/<hash of identity>.<extension>}. */
    public static Path named(Path folder, String identity, String extension) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
            return folder.resolve(HexFormat.of().formatHex(h, 0, 16) + "." + extension);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Deletes a cache file that did not check out and answers "not cached". */
    public static <T> Optional<T> discard(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a stale file we cannot delete is simply ignored next time too
        }
        return Optional.empty();
    }

    /**
     * Marks a cache file as just used, so that it is evicted last (and never by this process); its modification
     * time is set unless it was {@linkplain #RECENTLY_USED recently}.
     */
    public static void markUsed(Path file) {
        IN_USE.add(file.toAbsolutePath().normalize());
        try {
            Instant now = Instant.now();
            if (Files.getLastModifiedTime(file).toInstant().isAfter(now.minus(RECENTLY_USED))) return;
            Files.setLastModifiedTime(file, FileTime.from(now));
        } catch (IOException | RuntimeException ignored) {
            // a read-only cache: its files are evicted by whoever can write it
        }
    }

    /**
     * Removes stale {@code *.partial} files and, while the cache files add up to more than {@code maxBytes},
     * the least recently used of them; never one this process {@linkplain #markUsed used}. Deleting a file
     * another process has mapped is safe: the mapping keeps its content until it is unmapped.
     */
    public static void tidy(Path folder, long maxBytes) {
        List<Entry> entries = new ArrayList<>();
        Instant stale = Instant.now().minus(STALE_PARTIAL);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder)) {
            for (Path f : files) {
                BasicFileAttributes a;
                try {
                    a = Files.readAttributes(f, BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                } catch (IOException e) {
                    continue;  // gone meanwhile
                }
                if (!a.isRegularFile()) continue;
                String name = f.getFileName().toString();
                if (name.endsWith(".partial")) {
                    if (a.lastModifiedTime().toInstant().isBefore(stale)) discard(f);
                } else if (CACHE_EXTENSIONS.contains(name.substring(name.lastIndexOf('.') + 1))) {
                    entries.add(new Entry(f, a.size(), a.lastModifiedTime()));
                }
            }
        } catch (IOException | RuntimeException e) {
            return;  // no folder, or not readable: nothing to tidy
        }
        long total = entries.stream().mapToLong(Entry::bytes).sum();
        entries.sort(Comparator.comparing(Entry::lastUsed));
        for (Entry e : entries) {
            if (total <= maxBytes) break;
            if (IN_USE.contains(e.file().toAbsolutePath().normalize())) continue;
            discard(e.file());
            total -= e.bytes();
        }
    }

    private record Entry(Path file, long bytes, FileTime lastUsed) {}
}
