package dev.jlens.dataset;

import java.util.Iterator;

/**
 * Rows read one at a time from a file (never the whole file in memory), in the file's order. Closing releases the
 * file. Errors are {@link dev.jlens.JlensException}s naming the file and the row.
 */
public interface Rows<T> extends Iterator<T>, AutoCloseable {
    @Override
    void close();

    /** Each of {@code rows} as {@code f} turns it, one at a time as they are read. */
    static <T, U> java.util.Iterator<U> map(java.util.Iterator<T> rows, java.util.function.Function<T, U> f) {
        return new java.util.Iterator<>() {
            @Override
            public boolean hasNext() {
                return rows.hasNext();
            }

            @Override
            public U next() {
                return f.apply(rows.next());
            }
        };
    }
}
