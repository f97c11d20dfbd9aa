package dev.jlens.cli;

import dev.jlens.hub.HubCache;
import dev.jlens.hub.RepoId;
import dev.jlens.io.AtomicFile;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The main class of a child JVM that tests kill or trace while it writes, with the command line's own shutdown
 * hook installed. {@code slow FILE}: writes FILE through AtomicFile in 64 KB chunks, 50 ms apart, printing
 * "writing" once the first chunk is out (a test signals it then; unsignalled it would take about 100 s).
 * {@code once FILE}: writes FILE at once. {@code hub CACHE}: writes a ref and a snapshot copy into a Hub cache.
 */
public final class WritingChild {
    private WritingChild() {}

    public static void main(String[] args) throws Exception {
        Main.deleteTemporariesOnExit();
        Path file = Path.of(args[1]);
        switch (args[0]) {
            case "slow" -> AtomicFile.write(file, out -> {
                byte[] chunk = new byte[64 << 10];
                java.util.Arrays.fill(chunk, (byte) 'n');
                for (int i = 0; i < 2000; i++) {
                    AtomicFile.writeFully(out, ByteBuffer.wrap(chunk));
                    if (i == 0) {
                        System.out.println("writing");
                        System.out.flush();
                    }
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        throw new java.io.InterruptedIOException();
                    }
                }
            });
            case "once" -> AtomicFile.writeString(file, "new");
            case "hub" -> {
                HubCache cache = new HubCache(file, false);
                RepoId repo = RepoId.parse("acme/tiny");
                String commit = "0123456789abcdef0123456789abcdef01234567";
                Path blob = cache.blob(repo, "e7a1");
                Files.createDirectories(blob.getParent());
                AtomicFile.writeString(blob, "blob content");
                cache.writeRef(repo, "main", commit);
                cache.link(repo, commit, "config.json", "e7a1");
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }
}
