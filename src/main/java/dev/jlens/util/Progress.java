package dev.jlens.util;

/**
 * Told how far a long job has come (a download in bytes, a patching sweep in runs). The library calls it;
 * the command line draws a bar. Called from the working thread; implementations must be cheap.
 */
@FunctionalInterface
public interface Progress {
    Progress NONE = (done, total) -> {};

    /** {@code done} units of {@code total} (total -1 when unknown). */
    void update(long done, long total);
}
