package dev.jlens.dataset;

import dev.jlens.JlensException;

/** A row of a dataset that cannot be used (a column missing, a value of the wrong kind); others may still be. */
public final class BadRow extends JlensException {
    public BadRow(String message) {
        super(message);
    }
}
