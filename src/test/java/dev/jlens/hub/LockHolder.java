package dev.jlens.hub;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Another process for {@link CrossProcessLockTest}: holds a blob's lock file for a while, as a download would. */
public final class LockHolder {
    private LockHolder() {}

    public static void main(String[] args) throws Exception {
        Path lockFile = Path.of(args[0]);
        Files.createDirectories(lockFile.getParent());
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock lock = ch.lock();
            System.out.println("locked");
            System.out.flush();
            Thread.sleep(Long.parseLong(args[1]));
            lock.release();
        }
    }
}
