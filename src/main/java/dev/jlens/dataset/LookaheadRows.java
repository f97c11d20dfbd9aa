package dev.jlens.dataset;

import java.util.NoSuchElementException;

/** A {@link Rows} that computes each row on demand: {@link #read()} returns the next one, or null at the end. */
abstract class LookaheadRows<T> implements Rows<T> {
    private T next;
    private boolean ended;

    /** The next row, or null when there are no more. */
    protected abstract T read();

    @Override
    public final boolean hasNext() {
        if (next == null && !ended) {
            next = read();
            ended = next == null;
        }
        return next != null;
    }

    @Override
    public final T next() {
        if (!hasNext()) throw new NoSuchElementException();
        T t = next;
        next = null;
        return t;
    }
}
