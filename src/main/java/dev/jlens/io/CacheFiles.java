package dev.jlens.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Naming and discarding the files of jlens' own caches (processed weights, built tokenizers): one file per
 * identity (its sources' paths, sizes and times, options, format version), named by a hash of it, and a file
 * that does not check out deleted so that the next load rebuilds it.
 */
public final class CacheFiles {
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
}
