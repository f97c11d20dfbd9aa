package dev.jlens.dataset;

import java.io.Serializable;
import java.util.List;

/**
 * A job's work on one batch of rows: rows in, small serializable result rows out, one per input row in order, each
 * a map from column name to a value ({@link ResultColumns} tells the types). Nothing else is shared between batches,
 * so any engine may run the batches anywhere and in any order: {@link LocalRunner} on this machine's cores, or a
 * cluster (the function is sent to its workers and loads what it needs, such as the model, once per worker).
 */
@FunctionalInterface
public interface BatchFunction<I, O> extends Serializable {
    List<O> apply(List<I> batch);
}
