package dev.jlens.tensor;

import java.util.concurrent.CancellationException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * A pool of threads for the kernels: a kernel splits its work into {@code n} tasks (column panels of a product,
 * heads of an attention layer), runs them on the pool and the calling thread, and waits for all.
 *
 * <p>Kernels call the static methods, which use the pool the calling thread has {@linkplain #call bound} (a
 * model binds its runtime's pool for each run), else {@link #common()}. So two models can run side by side on
 * pools of their own without the kernels taking a pool argument. Close a pool made here when done with it.
 */
public final class Parallel implements AutoCloseable {
    private static final ScopedValue<Parallel> CURRENT = ScopedValue.newInstance();

    private final int threads;
    private final ForkJoinPool pool;

    /**
     * A pool that splits kernels into up to {@code threads} parts, the calling thread taking one; it makes its
     * threads with {@code factory} as they are first needed.
     */
    public Parallel(int threads, ForkJoinPool.ForkJoinWorkerThreadFactory factory) {
        if (threads < 1) throw new IllegalArgumentException("a pool needs at least one thread, not " + threads);
        this.threads = threads;
        this.pool = new ForkJoinPool(threads, factory, null, false);
    }

    /** A pool of {@code threads} threads named {@code <name>-<n>}. */
    public Parallel(int threads, String name) {
        this(threads, named(name));
    }

    private static ForkJoinPool.ForkJoinWorkerThreadFactory named(String name) {
        AtomicInteger count = new AtomicInteger();
        return pool -> {
            ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
            t.setName(name + "-" + count.incrementAndGet());
            return t;
        };
    }

    /**
     * The pool of callers that bind none: one thread per core ({@code -Djlens.threads=N} says otherwise), made on
     * first use and never closed (its threads are daemons that end when idle).
     */
    public static Parallel common() {
        return Common.POOL;
    }

    private static final class Common {
        static final Parallel POOL = new Parallel(Math.max(1, Integer.getInteger("jlens.threads", Runtime.getRuntime().availableProcessors())), "jlens-worker");
    }

    /** The pool kernels called from this thread use: the one bound by {@link #call}, else {@link #common()}. */
    public static Parallel current() {
        return CURRENT.orElse(Common.POOL);
    }

    /** How many threads the current pool runs kernels on, the calling thread included. */
    public static int threads() {
        return current().threads;
    }

    /** How many threads this pool runs kernels on, the calling thread included. */
    public int size() {
        return threads;
    }

    /** Runs {@code work} with kernels on this pool (and on the pools it binds in turn); returns what it returns. */
    public <T> T call(Supplier<T> work) {
        if (current() == this) return work.get();
        return ScopedValue.where(CURRENT, this).call(work::get);
    }

    /** Stops the pool's threads once their tasks are done. */
    @Override
    public void close() {
        pool.shutdown();
    }

    /**
     * Calls {@code body.accept(i)} for every i in [0, n), spread over the pool and the calling thread, which
     * take the next i as they become free (items may differ in size). Runs inline when there is one item,
     * one thread, or when called from inside the pool (no nested fan-out).
     *
     * <p>An interrupted calling thread gets a {@link CancellationException} before the next item it takes (its
     * interrupt status kept): every run of a model goes through here many times, so interrupting the thread
     * stops a long computation (a notebook cell's sweep, a cancelled job) without it having to check.
     */
    public static void forEach(int n, IntConsumer body) {
        current().each(n, body);
    }

    private void each(int n, IntConsumer body) {
        if (n <= 0) return;
        if (n == 1 || threads == 1 || ForkJoinTask.inForkJoinPool()) {
            for (int i = 0; i < n; i++) {
                stopIfInterrupted();
                body.accept(i);
            }
            return;
        }
        AtomicInteger next = new AtomicInteger();
        Failures failures = new Failures();
        callerAndPool(Math.min(n, threads), ignored -> {
            for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                try {
                    stopIfInterrupted();
                    body.accept(i);
                } catch (Throwable e) {
                    failures.add(i, e);
                    next.set(n);  // hand out no more items
                }
            }
        });
        failures.rethrowFirst();
    }

    /** Pool threads are never interrupted by callers; a caller's interrupt is seen on its own part. */
    private static void stopIfInterrupted() {
        if (Thread.currentThread().isInterrupted()) throw new CancellationException("interrupted");
    }

    /**
     * Calls {@code body.accept(i)} for every i in [0, n) on this pool's threads only, the caller waiting: each item
     * runs whole on one pool thread, so the kernels it calls run inline there and its values do not depend on how
     * many threads there are. For jobs that run many independent items (a dataset's batches) and must give the same
     * output on any number of threads. The failure of the lowest failing item is thrown.
     */
    public void forEachOnPool(int n, IntConsumer body) {
        if (n <= 0) return;
        AtomicInteger next = new AtomicInteger();
        Failures failures = new Failures();
        pool.submit(new Range(ignored -> {
            for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                try {
                    body.accept(i);
                } catch (Throwable e) {
                    failures.add(i, e);
                    next.set(n);  // hand out no more items
                }
            }
        }, 0, Math.min(n, threads))).join();
        failures.rethrowFirst();
    }

    /**
     * Runs {@code part(0)} on the calling thread and {@code part(1..parts-1)} on the pool, and returns when all
     * are done. The caller working rather than parked wakes one pool thread fewer per call, which on a small
     * machine had cost a forward pass a fifth of its time. If parts fail, the failure of the lowest part
     * is thrown, whichever thread saw it first: the same input gives the same error.
     */
    private void callerAndPool(int parts, IntConsumer part) {
        Failures failures = new Failures();
        ForkJoinTask<Void> others = pool.submit(new Range(p -> {
            try {
                part.accept(p);
            } catch (Throwable e) {
                failures.add(p, e);
            }
        }, 1, parts));
        try {
            part.accept(0);
        } catch (Throwable e) {
            failures.add(0, e);
        }
        others.join();  // even after a failure here, so no part is still running when the caller goes on
        failures.rethrowFirst();
    }

    /** The failure of the lowest index among parts or items that failed. */
    private static final class Failures {
        private int index = Integer.MAX_VALUE;
        private Throwable error;

        synchronized void add(int i, Throwable e) {
            if (i < index) {
                index = i;
                error = e;
            }
        }

        synchronized void rethrowFirst() {
            if (error instanceof RuntimeException e) throw e;
            if (error instanceof Error e) throw e;
            if (error != null) throw new IllegalStateException(error);
        }
    }

    /**
     * Splits [0, n) into at most {@code threads()} contiguous chunks and runs {@code body(start, end)} on each,
     * the first on the calling thread.
     */
    public static void forChunks(int n, ChunkBody body) {
        current().chunks(n, body);
    }

    private void chunks(int n, ChunkBody body) {
        int chunks = Math.min(n, threads);
        if (chunks <= 1 || ForkJoinTask.inForkJoinPool()) {
            if (n > 0) body.run(0, n);
            return;
        }
        callerAndPool(chunks, c -> body.run((int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks)));
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
        current().chunks(n, body);
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
