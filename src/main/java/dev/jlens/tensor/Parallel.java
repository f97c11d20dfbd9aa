package dev.jlens.tensor;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;
import java.util.function.IntConsumer;

/**
 * Runs independent pieces of a kernel on all cores. One pool for the whole process: kernels split their
 * work into {@code n} tasks (column panels of a product, heads of an attention layer) and wait for all.
 */
public final class Parallel {
    private static final int THREADS = Integer.getInteger("jlens.threads", Runtime.getRuntime().availableProcessors());
    private static final ForkJoinPool POOL = new ForkJoinPool(Math.max(1, THREADS));

    private Parallel() {}

    public static int threads() {
        return THREADS;
    }

    /**
     * Calls {@code body.accept(i)} for every i in [0, n), spread over the pool. Runs inline when there is
     * one task, one thread, or when called from inside the pool (no nested fan-out).
     */
    public static void forEach(int n, IntConsumer body) {
        if (n <= 0) return;
        if (n == 1 || THREADS == 1 || ForkJoinTask.inForkJoinPool()) {
            for (int i = 0; i < n; i++) body.accept(i);
            return;
        }
        POOL.invoke(new Range(body, 0, n));
    }

    /** Splits [0, n) into at most {@code threads()} contiguous chunks and runs {@code body(start, end)} on each. */
    public static void forChunks(int n, ChunkBody body) {
        int chunks = Math.min(n, THREADS);
        if (chunks <= 1) {
            if (n > 0) body.run(0, n);
            return;
        }
        forEach(chunks, c -> body.run((int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks)));
    }

    /**
     * Like {@link #forChunks} for work of {@code n} rows, but inline when there are fewer than {@code minRows}
     * rows per thread: forking costs more than a few small rows.
     */
    public static void forRows(int n, int minRows, ChunkBody body) {
        if (n < 2 * minRows) {
            if (n > 0) body.run(0, n);
            return;
        }
        forChunks(n, body);
    }

    @FunctionalInterface
    public interface ChunkBody {
        void run(int start, int end);
    }

    private static final class Range extends RecursiveAction {
        private final IntConsumer body;
        private final int from, to;

        Range(IntConsumer body, int from, int to) {
            this.body = body;
            this.from = from;
            this.to = to;
        }

        @Override
        protected void compute() {
            if (to - from == 1) {
                body.accept(from);
                return;
            }
            int mid = (from + to) >>> 1;
            invokeAll(new Range(body, from, mid), new Range(body, mid, to));
        }
    }
}
