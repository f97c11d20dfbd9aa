package dev.jlens.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The launcher starts the JVM with its stderr on a filter (which drops the JVM's "Using incubator
 * modules" warning) and the user's real stderr on file descriptor 3. This puts the
 * real stderr back on descriptor 2 with {@code dup2}, so the same open file is shared as usual (no
 * second file description that could truncate or overwrite a redirected file).
 */
final class RealStderr {
    private RealStderr() {}

    /**
     * Standard error that moves descriptor {@code fd} onto 2 just before its first byte. Linking the native
     * call costs a cold JVM about 80 ms, which a run that prints nothing on stderr (a successful analysis
     * into a file) then never pays.
     */
    static OutputStream restoredOnFirstWrite(int fd) {
        OutputStream stderr = new FileOutputStream(FileDescriptor.err);
        return new FilterOutputStream(stderr) {
            private boolean restored;

            @Override
            public synchronized void write(int b) throws IOException {
                restore();
                out.write(b);
            }

            @Override
            public synchronized void write(byte[] b, int off, int len) throws IOException {
                restore();
                out.write(b, off, len);
            }

            private void restore() {
                if (!restored) restoreFrom(fd);
                restored = true;
            }
        };
    }

    /** Moves descriptor {@code fd} onto 2; returns false if that is not possible here. */
    static boolean restoreFrom(int fd) {
        try {
            Linker linker = Linker.nativeLinker();
            FunctionDescriptor intInt = FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT);
            MethodHandle dup2 = linker.downcallHandle(linker.defaultLookup().find("dup2").orElseThrow(), intInt);
            MethodHandle close = linker.downcallHandle(linker.defaultLookup().find("close").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            if ((int) dup2.invokeExact(fd, 2) < 0) return false;
            int ignored = (int) close.invokeExact(fd);
            return true;
        } catch (Throwable e) {
            return false;
        }
    }
}
