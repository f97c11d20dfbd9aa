package dev.jlens;

/**
 * Running out of heap, wherever it happened: on the calling thread, or on a worker of a parallel kernel, whose error
 * arrives as the cause of another exception (a CompletionException). Either way the answer is the same one line.
 */
public final class OutOfMemory {
    private OutOfMemory() {}

    /** Whether {@code e} is an OutOfMemoryError or was caused by one. */
    public static boolean isOrCausedBy(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof OutOfMemoryError) return true;
        }
        return false;
    }
}
