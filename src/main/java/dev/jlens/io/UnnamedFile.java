package dev.jlens.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Optional;

/**
 * A file that has no name until it is complete (Linux's {@code O_TMPFILE}): the kernel frees it when the process
 * ends, however it ends (SIGKILL included), so a write that never finishes leaves nothing in the folder. The
 * content is written through {@code /proc/self/fd/N} and the file is given its name with {@code linkat}.
 * Elsewhere (another OS, a file system without {@code O_TMPFILE}, native access not enabled) {@link #create}
 * answers empty and the caller uses a named temporary file.
 */
final class UnnamedFile implements AutoCloseable {
    private static final int O_WRONLY = 01, O_CLOEXEC = 02000000, O_TMPFILE_BASE = 020000000;
    private static final int AT_FDCWD = -100, AT_SYMLINK_FOLLOW = 0x400, EEXIST = 17;
    private static final Native NATIVE = Native.load();

    private final int fd;
    private final FileChannel channel;

    private UnnamedFile(int fd, FileChannel channel) {
        this.fd = fd;
        this.channel = channel;
    }

    /**
     * Links the native calls and runs each once on arguments it refuses (an empty path, a closed descriptor), so
     * that the JVM's set-up of the calls (tens of milliseconds of generated code) is done before the first write.
     */
    static void prepare() {
        if (NATIVE == null) return;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Native.STATE), empty = arena.allocateFrom("");
            int opened = (int) NATIVE.open.invokeExact(state, empty, O_WRONLY | O_CLOEXEC, 0);   // ENOENT
            int linked = (int) NATIVE.linkat.invokeExact(state, -1, empty, AT_FDCWD, empty, 0);  // ENOENT
            int errno = (int) Native.ERRNO.get(state, 0L);
            int closed = (int) NATIVE.close.invokeExact(-1);                                     // EBADF
        } catch (Throwable e) {
            // only a head start: the first real write links what is missing
        }
    }

    /** An unnamed file in {@code folder}, or empty where this OS or file system cannot make one. */
    static Optional<UnnamedFile> create(Path folder) {
        if (NATIVE == null) return Optional.empty();
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Native.STATE);
            fd = (int) NATIVE.open.invokeExact(state, arena.allocateFrom(folder.toString()), NATIVE.oTmpfile | O_WRONLY | O_CLOEXEC, 0666);
        } catch (Throwable e) {
            return Optional.empty();
        }
        if (fd < 0) return Optional.empty();   // EOPNOTSUPP, EISDIR (a kernel before 3.11), ...: a named file will do
        try {
            return Optional.of(new UnnamedFile(fd, FileChannel.open(procPath(fd), StandardOpenOption.WRITE)));
        } catch (IOException | RuntimeException e) {
            closeQuietly(fd);   // no /proc: the file could never be named
            return Optional.empty();
        }
    }

    FileChannel channel() {
        return channel;
    }

    /** Gives the file the name {@code name}; false if something already has that name. */
    boolean linkAs(Path name) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Native.STATE);
            int r = (int) NATIVE.linkat.invokeExact(state, AT_FDCWD, arena.allocateFrom(procPath(fd).toString()),
                    AT_FDCWD, arena.allocateFrom(name.toString()), AT_SYMLINK_FOLLOW);
            if (r == 0) return true;
            int errno = (int) Native.ERRNO.get(state, 0L);
            if (errno == EEXIST) return false;
            throw new IOException(name + ": linkat failed (errno " + errno + ")");
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IOException(name + ": linkat failed (" + e + ")", e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            channel.close();
        } finally {
            closeQuietly(fd);
        }
    }

    private static Path procPath(int fd) {
        return Path.of("/proc/self/fd/" + fd);
    }

    private static void closeQuietly(int fd) {
        try {
            int ignored = (int) NATIVE.close.invokeExact(fd);
        } catch (Throwable ignored) {
            // closing a descriptor only this object holds cannot fail in a way anyone could act on
        }
    }

    /** The native calls, linked once; null where they are not available. */
    private record Native(MethodHandle open, MethodHandle linkat, MethodHandle close, int oTmpfile) {
        static final StructLayout STATE = Linker.Option.captureStateLayout();
        static final VarHandle ERRNO = STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

        static Native load() {
            if (!System.getProperty("os.name", "").equals("Linux")) return null;
            if (!UnnamedFile.class.getModule().isNativeAccessEnabled()) return null;   // no "restricted method" warning for library users
            if (Boolean.getBoolean("jlens.io.namedTemporaries")) return null;
            // O_TMPFILE is __O_TMPFILE | O_DIRECTORY, and O_DIRECTORY differs between architectures
            int oDirectory = switch (System.getProperty("os.arch", "").toLowerCase(Locale.ROOT)) {
                case "amd64", "x86_64" -> 0200000;
                case "aarch64" -> 040000;
                default -> -1;
            };
            if (oDirectory < 0) return null;
            try {
                Linker linker = Linker.nativeLinker();
                Linker.Option errno = Linker.Option.captureCallState("errno");
                MethodHandle open = linker.downcallHandle(linker.defaultLookup().find("open").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
                        errno, Linker.Option.firstVariadicArg(2));
                MethodHandle linkat = linker.downcallHandle(linker.defaultLookup().find("linkat").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
                                ValueLayout.ADDRESS, ValueLayout.JAVA_INT), errno);
                MethodHandle close = linker.downcallHandle(linker.defaultLookup().find("close").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
                return new Native(open, linkat, close, O_TMPFILE_BASE | oDirectory);
            } catch (RuntimeException e) {
                return null;
            }
        }
    }
}
