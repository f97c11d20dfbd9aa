package dev.jlens.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a file holds, as its sha256 and size: the identity a cache entry made from the file is keyed by, so
 * that an entry is never used for other content, whatever the file's name, size or times.
 *
 * <p>Found cheaply. A file that resolves into a Hugging Face cache's {@code blobs/} folder under a 64-digit
 * name is named by its sha256 (the downloader checked it), so costs nothing. Any other file is hashed once and
 * the result memoized as {@code <hash of its FileStamp>.sha256} in a folder, so a file replaced or rewritten
 * under the same name, size and mtime is always hashed again. Where the stamp is unknown (not a Unix file system)
 * nothing is memoized and the file is hashed each time; so is a file that had not {@linkplain FileStamp#settledBefore
 * settled} when it was hashed.
 */
public record ContentId(String sha256, long size) {
    public static final String MEMO_EXTENSION = "sha256";
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    public ContentId {
        if (!SHA256.matcher(sha256).matches()) throw new IllegalArgumentException("not a sha256: " + sha256);
    }

    /** The content identity of {@code file}, memoized in {@code memoFolder} when there is one. */
    public static ContentId of(Path file, Optional<Path> memoFolder) throws IOException {
        Instant start = Instant.now();
        Path real = file.toRealPath();
        BasicFileAttributes before = Files.readAttributes(real, BasicFileAttributes.class);
        Optional<ContentId> blob = hubBlob(real, before.size());
        if (blob.isPresent()) return blob.get();
        Optional<FileStamp> stamp = FileStamp.of(real, before);
        Optional<Path> memo = memoFolder.flatMap(folder -> stamp.map(s -> CacheFiles.named(folder, "content-id\n" + s.key(), MEMO_EXTENSION)));
        if (memo.isPresent()) {
            Optional<ContentId> known = readMemo(memo.get(), before.size());
            if (known.isPresent()) {
                CacheFiles.markUsed(memo.get());
                return known.get();
            }
        }
        ContentId hashed = new ContentId(sha256(real), before.size());
        // Memoized only when the file did not change while it was read, and was last changed at least a clock tick
        // before: a change within the tick of the last one could leave every time as it was (git's "racy clean").
        if (memo.isPresent() && stamp.get().settledBefore(start) && stamp.equals(FileStamp.of(real))) {
            try {
                Files.createDirectories(memo.get().getParent());
                AtomicFile.writeString(memo.get(), hashed.sha256 + "\n");
                CacheFiles.markUsed(memo.get());
            } catch (IOException | RuntimeException e) {
                // a read-only cache folder: the file is hashed again next time
            }
        }
        return hashed;
    }

    /**
     * The identity of several files taken together (a sharded checkpoint's index and shards): the sha256 of one
     * line per file, its name, sha256 and size, in the order given; the size is their sum. Each file's own
     * identity is found and memoized as {@link #of} does, so a change to any one file changes the whole's.
     */
    public static ContentId ofAll(List<Path> files, Optional<Path> memoFolder) throws IOException {
        StringBuilder lines = new StringBuilder();
        long size = 0;
        for (Path file : files) {
            ContentId id = of(file, memoFolder);
            lines.append(file.getFileName()).append(' ').append(id.sha256).append(' ').append(id.size).append('\n');
            size += id.size;
        }
        return new ContentId(HexFormat.of().formatHex(digest().digest(lines.toString().getBytes(StandardCharsets.UTF_8))), size);
    }

    /** A Hugging Face blob is named by the sha256 of its content (large files) or a git blob id (40 digits; not used). */
    private static Optional<ContentId> hubBlob(Path real, long size) {
        Path parent = real.getParent();
        String name = String.valueOf(real.getFileName());
        if (parent == null || !String.valueOf(parent.getFileName()).equals("blobs") || !SHA256.matcher(name).matches()) return Optional.empty();
        return Optional.of(new ContentId(name, size));
    }

    private static Optional<ContentId> readMemo(Path memo, long size) {
        try {
            if (!Files.isRegularFile(memo) || Files.size(memo) != 65) return CacheFiles.discard(memo);
            String text = Files.readString(memo, StandardCharsets.US_ASCII).strip();
            return SHA256.matcher(text).matches() ? Optional.of(new ContentId(text, size)) : CacheFiles.discard(memo);
        } catch (IOException | RuntimeException e) {
            return CacheFiles.discard(memo);
        }
    }

    /** The sha256 of a file's bytes, as 64 lower-case hex digits. */
    public static String sha256(Path file) throws IOException {
        MessageDigest digest = digest();
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
            while (in.read(buffer.clear()) >= 0) digest.update(buffer.flip());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
