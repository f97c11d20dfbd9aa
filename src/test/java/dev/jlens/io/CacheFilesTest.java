package dev.jlens.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** A cache folder stays under its cap, least recently used first, and loses temporary files a killed writer left. */
class CacheFilesTest {
    @TempDir
    Path folder;

    private Path file(String name, int bytes, long secondsAgo) throws IOException {
        Path f = Files.write(folder.resolve(name), new byte[bytes]);
        Files.setLastModifiedTime(f, FileTime.from(Instant.now().minusSeconds(secondsAgo)));
        return f;
    }

    @Test
    void beyondTheCapTheLeastRecentlyUsedGoFirstButNeverOneInUse() throws IOException {
        Path inUse = file("a.jlw", 100, 5000);
        CacheFiles.markUsed(inUse);
        Files.setLastModifiedTime(inUse, FileTime.from(Instant.now().minusSeconds(5000)));
        Path oldest = file("b.jlw", 100, 4000), older = file("c.jlt", 100, 3000), recent = file("d.sha256", 100, 2000), newest = file("e.jlw", 100, 1000);
        Path notOurs = file("notes.txt", 10_000, 9000);

        CacheFiles.tidy(folder, 300);

        assertThat(inUse).isRegularFile();
        assertThat(oldest).doesNotExist();
        assertThat(older).doesNotExist();
        assertThat(recent).isRegularFile();
        assertThat(newest).isRegularFile();
        assertThat(notOurs).as("not a cache file: neither counted nor removed").isRegularFile();
    }

    @Test
    void underTheCapNothingGoes() throws IOException {
        Path a = file("a.jlw", 100, 5000), b = file("b.jlt", 100, 10);
        CacheFiles.tidy(folder, 200);
        assertThat(a).isRegularFile();
        assertThat(b).isRegularFile();
    }

    @Test
    void aTemporaryFileUntouchedForLongIsRemovedAndALiveOneKept() throws IOException {
        long stale = CacheFiles.STALE_PARTIAL.toSeconds() + 60;
        Path killed = file(".a.jlw.1234.partial", 100, stale), live = file(".b.jlw.5678.partial", 100, 5);
        CacheFiles.tidy(folder, Long.MAX_VALUE);
        assertThat(killed).doesNotExist();
        assertThat(live).isRegularFile();
    }

    @Test
    void usingAFileUsedWithinTheHourLeavesItsStampAsItWas() throws IOException {
        Path recent = file("a.jlw", 100, 600);
        FileStamp before = FileStamp.of(recent.toRealPath()).orElseThrow();
        CacheFiles.markUsed(recent);
        assertThat(FileStamp.of(recent.toRealPath()).orElseThrow()).as("mtime and ctime untouched").isEqualTo(before);
        Path old = file("b.jlw", 100, CacheFiles.RECENTLY_USED.toSeconds() + 60);
        CacheFiles.markUsed(old);
        assertThat(Files.getLastModifiedTime(old).toInstant()).isAfter(Instant.now().minusSeconds(60));
    }

    @Test
    void usingAFileMakesItTheMostRecentlyUsed() throws IOException {
        Path a = file("a.jlw", 100, 5000), b = file("b.jlw", 100, 1000);
        CacheFiles.markUsed(a);
        CacheFiles.tidy(folder, 100);
        assertThat(a).isRegularFile();
        assertThat(b).doesNotExist();
    }
}
