package dev.jlens.cli;

import dev.jlens.tensor.Parallel;

/** The pool a dataset job spreads its batches over: {@code --threads} threads, by default one per core. */
final class Workers {
    private Workers() {}

    /** A pool of {@code threads} threads (null: as many as the kernels' pool; checked positive by the command), which the caller closes. */
    static Parallel of(Integer threads) {
        return new Parallel(threads != null ? threads : Parallel.threads(), "jlens-batch");
    }
}
