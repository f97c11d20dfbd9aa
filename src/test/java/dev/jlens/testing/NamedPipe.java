package dev.jlens.testing;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A named pipe (FIFO), as {@code <(command)} or {@code mkfifo} gives one: the file system reports it as 0 bytes
 * whatever is written into it. {@link #feeding} writes a given number of bytes into it on a thread of its own, as a
 * process on the other end would, until the reader has them all or closes its end.
 */
public final class NamedPipe implements AutoCloseable {
    private final Path path;
    private final Thread writer;

    private NamedPipe(Path path, Thread writer) {
        this.path = path;
        this.writer = writer;
    }

    /** Makes a named pipe at {@code path} (with mkfifo; Linux and macOS have it). */
    public static Path make(Path path) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException("mkfifo " + path + " failed");
        return path;
    }

    /** A named pipe at {@code path} that hands a reader {@code head}, then {@code fill} bytes up to {@code total} bytes. */
    public static NamedPipe feeding(Path path, byte[] head, byte fill, long total) throws IOException, InterruptedException {
        make(path);
        Thread writer = Thread.ofPlatform().daemon().name("pipe writer").start(() -> {
            try (OutputStream out = new FileOutputStream(path.toFile())) {   // blocks until a reader opens it
                out.write(head);
                byte[] chunk = new byte[1 << 16];
                java.util.Arrays.fill(chunk, fill);
                for (long left = total - head.length; left > 0; left -= chunk.length) {
                    out.write(chunk, 0, (int) Math.min(chunk.length, left));
                }
            } catch (IOException readerClosedItsEnd) {
                // a reader that stops early closes the pipe: "Broken pipe", which is what the test wants
            }
        });
        return new NamedPipe(path, writer);
    }

    /**
     * Ends the writer: a reader that never opened the pipe (the code under test refused it beforehand) leaves the
     * writer blocked in open, so the pipe is opened and drained here.
     */
    @Override
    public void close() throws IOException, InterruptedException {
        writer.join(TimeUnit.SECONDS.toMillis(5));
        if (writer.isAlive()) {
            try (InputStream in = new FileInputStream(path.toFile())) {
                in.transferTo(OutputStream.nullOutputStream());
            }
            writer.join(TimeUnit.SECONDS.toMillis(30));
        }
    }
}
