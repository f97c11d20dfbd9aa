package dev.jlens.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** A file's content identity: free for a Hub blob, hashed once otherwise, hashed again whenever the file may have changed. */
class ContentIdTest {
    @TempDir
    Path dir;

    private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private Path memos() throws IOException {
        return Files.createDirectories(dir.resolve("memos"));
    }

    @Test
    void aFileIsHashedOnceAndItsMemoServesLaterCalls() throws Exception {
        byte[] content = "the weights".getBytes();
        Path file = Files.write(dir.resolve("model.safetensors"), content);
        Thread.sleep(300);  // a file changed within a clock tick is not memoized
        ContentId first = ContentId.of(file, Optional.of(memos()));
        assertThat(first).isEqualTo(new ContentId(sha256(content), content.length));

        // a memo that says otherwise is believed while the file's stat tuple is unchanged: proof that it is read, not rehashed
        Path memo;
        try (var memoFiles = Files.list(memos())) {
            memo = memoFiles.filter(f -> f.toString().endsWith(".sha256")).findFirst().orElseThrow();
        }
        String other = "ab".repeat(32);
        Files.writeString(memo, other + "\n");
        assertThat(ContentId.of(file, Optional.of(memos())).sha256()).isEqualTo(other);
    }

    @Test
    void aFileReplacedUnderTheSameNameSizeAndMtimeIsHashedAgain() throws Exception {
        Path file = Files.write(dir.resolve("model.safetensors"), "the weights A".getBytes());
        FileTime mtime = Files.getLastModifiedTime(file);
        Thread.sleep(300);
        ContentId.of(file, Optional.of(memos()));
        try (var memoFiles = Files.list(memos())) {
            assertThat(memoFiles).as("memoized").hasSize(1);
        }

        byte[] replacement = "the weights B".getBytes();
        Files.write(file, replacement);  // in place: same path, inode and size
        Files.setLastModifiedTime(file, mtime);
        assertThat(ContentId.of(file, Optional.of(memos())).sha256()).isEqualTo(sha256(replacement));
    }

    @Test
    void aHubBlobIsNamedByItsSha256AndNotRead() throws IOException {
        String name = "0123456789abcdef".repeat(4);
        Path blob = Files.write(Files.createDirectories(dir.resolve("models--x--y/blobs")).resolve(name), "not really that content".getBytes());
        Path link = Files.createDirectories(dir.resolve("models--x--y/snapshots/c0ffee")).resolve("model.safetensors");
        Files.createSymbolicLink(link, Path.of("../../blobs/" + name));
        assertThat(ContentId.of(link, Optional.of(memos()))).isEqualTo(new ContentId(name, Files.size(blob)));
        try (var memoFiles = Files.list(memos())) {
            assertThat(memoFiles).as("nothing hashed, nothing memoized").isEmpty();
        }
    }

    @Test
    void withoutAMemoFolderTheFileIsHashed() throws Exception {
        byte[] content = new byte[3 << 20];
        new java.util.Random(1).nextBytes(content);
        Path file = Files.write(dir.resolve("f"), content);
        assertThat(ContentId.of(file, Optional.empty()).sha256()).isEqualTo(sha256(content));
    }
}
