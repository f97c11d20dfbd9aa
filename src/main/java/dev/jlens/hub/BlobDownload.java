package dev.jlens.hub;

import dev.jlens.hub.HubException.Kind;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;

/**
 * Puts one blob into the cache so that nothing half-done is ever seen there: the content goes to
 * {@code blobs/{etag}.incomplete}, is checked (size, and sha256 for a large file or git's blob sha1 for a small
 * one, against the name the Hub gave it), synced, and only then moved to {@code blobs/{etag}} atomically. Writing is
 * done under {@code .locks/.../{etag}.lock} ({@link FileChannel#lock()}, plus a lock within this JVM), so two
 * processes never write the same blob; the second finds it done. If the download fails, the {@code .incomplete}
 * file is deleted; one left by a process that was killed is resumed by the next.
 */
final class BlobDownload {
    private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    private BlobDownload() {}

    /** Makes sure the blob of {@code meta} is in the cache, downloading it by {@code deadline}; returns true if this call wrote it. */
    static boolean ensure(HubClient client, HubCache cache, FileMetadata meta, LongConsumer position, DownloadBudget.Deadline deadline) {
        Path blob = cache.blob(meta.repo(), meta.etag());
        if (isComplete(blob, meta)) return false;
        try {
            Files.createDirectories(blob.getParent());
            return underLock(cache, meta.repo(), meta.etag(), () -> {
                if (isComplete(blob, meta)) return false;  // another process wrote it while we waited
                download(client, cache, meta, blob, position, deadline);
                return true;
            });
        } catch (IOException e) {
            throw new HubException(Kind.CACHE, "cannot write " + meta.file() + " of " + meta.repo() + " into the cache at "
                    + cache.root() + ": " + HubClient.describe(e), e);
        }
    }

    interface LockedAction<T> {
        T run() throws IOException;
    }

    /** Runs {@code action} holding the blob's lock: within this JVM, and {@link FileChannel#lock()} on its lock file. */
    static <T> T underLock(HubCache cache, RepoId repo, String etag, LockedAction<T> action) throws IOException {
        Path lockFile = cache.lockFile(repo, etag);
        ReentrantLock local = IN_PROCESS.computeIfAbsent(lockFile.toAbsolutePath().normalize(), p -> new ReentrantLock());
        local.lock();
        try {
            Files.createDirectories(lockFile.getParent());
            try (FileChannel lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                FileLock lock = lockChannel.lock();
                try {
                    return action.run();
                } finally {
                    lock.release();
                }
            }
        } finally {
            local.unlock();
        }
    }

    private static boolean isComplete(Path blob, FileMetadata meta) {
        try {
            return Files.isRegularFile(blob) && Files.size(blob) == meta.size();
        } catch (IOException e) {
            return false;
        }
    }

    private static void download(HubClient client, HubCache cache, FileMetadata meta, Path blob, LongConsumer position,
                                 DownloadBudget.Deadline deadline) throws IOException {
        Path incomplete = cache.incomplete(meta.repo(), meta.etag());
        boolean done = false;
        try (FileChannel out = FileChannel.open(incomplete, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            DigestSink sink = new DigestSink(out, meta);
            boolean leftover = sink.resume();  // a leftover of a killed process: hash what is there and go on from its end
            client.fetch(meta, sink, position, deadline);
            String actual = sink.hex();
            if (leftover && actual != null && !actual.equals(meta.etag())) {
                sink.restart();  // the leftover was not a prefix of this content after all: once more from the start
                client.fetch(meta, sink, position, deadline);
                actual = sink.hex();
            }
            if (actual != null && !actual.equals(meta.etag())) {
                throw new HubException(Kind.BAD_CONTENT, meta.file() + " of " + meta.repo() + " is corrupt: its "
                        + (meta.checksum() == FileMetadata.Checksum.SHA256 ? "sha256" : "git sha1") + " is " + actual
                        + " but the Hub announced " + meta.etag() + "; nothing was cached, run the command again");
            }
            if (out.size() != meta.size()) {
                throw new HubException(Kind.BAD_CONTENT, meta.file() + " of " + meta.repo() + " has " + out.size()
                        + " bytes but the Hub announced " + meta.size() + "; nothing was cached, run the command again");
            }
            out.force(true);
            done = true;
        } finally {
            if (!done) Files.deleteIfExists(incomplete);
        }
        try {
            HubCache.moveAtomically(incomplete, blob);
        } finally {
            Files.deleteIfExists(incomplete);
        }
    }

    /** Writes to the .incomplete file and hashes what it writes, so the check needs no second read. */
    private static final class DigestSink implements HubClient.Sink {
        private final FileChannel out;
        private final FileMetadata meta;
        private MessageDigest digest;

        DigestSink(FileChannel out, FileMetadata meta) {
            this.out = out;
            this.meta = meta;
        }

        /** Continues from what the file holds; returns whether it held anything. */
        boolean resume() throws IOException {
            if (out.size() > meta.size()) {
                restart();
                return false;
            }
            start();
            long size = out.size();
            ByteBuffer buf = ByteBuffer.allocate(1 << 16);
            long pos = 0;
            while (pos < size) {
                buf.clear();
                int n = out.read(buf, pos);
                if (n < 0) break;
                buf.flip();
                if (digest != null) digest.update(buf);
                pos += n;
            }
            out.position(pos);
            return pos > 0;
        }

        private void start() {
            try {
                digest = switch (meta.checksum()) {
                    case SHA256 -> MessageDigest.getInstance("SHA-256");
                    case GIT_SHA1 -> MessageDigest.getInstance("SHA-1");
                    case NONE -> null;
                };
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            if (meta.checksum() == FileMetadata.Checksum.GIT_SHA1) {
                digest.update(("blob " + meta.size() + "\0").getBytes(StandardCharsets.US_ASCII));
            }
        }

        String hex() {
            return digest == null ? null : HexFormat.of().formatHex(digest.digest());
        }

        @Override
        public long position() {
            try {
                return out.position();
            } catch (IOException e) {
                throw new HubException(Kind.CACHE, "cannot read the download of " + meta.file() + ": " + HubClient.describe(e), e);
            }
        }

        @Override
        public void restart() throws IOException {
            out.truncate(0);
            out.position(0);
            start();
        }

        @Override
        public void write(byte[] bytes, int off, int len) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(bytes, off, len);
            while (b.hasRemaining()) out.write(b);
            if (digest != null) digest.update(bytes, off, len);
        }
    }
}
