package dev.jlens.dataset;

import java.util.Iterator;

/**
 * Rows read one at a time from a file (never the whole file in memory), in the file's order. Closing releases the
 * file. Errors are {@link dev.jlens.JlensException}s naming the file and the row.
 */
public interface Rows<T> extends Iterator<T>, AutoCloseable {
    @Override
    void close();
}
