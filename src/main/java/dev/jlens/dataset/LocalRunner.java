package dev.jlens.dataset;

import dev.jlens.tensor.Parallel;
import dev.jlens.util.Progress;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs a {@link BatchFunction} over a dataset on this machine's cores: the rows are read in order, a shard at a time
 * (so memory does not grow with the dataset), each shard's batches are spread over the threads of the caller's
 * {@link Parallel} pool, and the shard's results, in row order, go to the sink. A batch runs whole on one pool
 * thread, its kernels inline there, so its values do not depend on the number of threads, and the output does not.
 * Completed shards are skipped. The pool is the caller's, as a model's is ({@code JlensRuntime}): the library makes
 * no threads of its own.
 */
public final class LocalRunner {
    private final Parallel workers;
    private final int shardSize, batchSize;
    private final Progress progress;

    /**
     * A runner whose batches run on {@code workers} (at most {@code workers.size()} at once), {@code shardSize} rows
     * per shard and {@code batchSize} rows per batch.
     */
    public LocalRunner(Parallel workers, int shardSize, int batchSize, Progress progress) {
        if (shardSize < 1 || batchSize < 1) throw new IllegalArgumentException("shard size and batch size must be positive");
        this.workers = java.util.Objects.requireNonNull(workers, "workers");
        this.shardSize = shardSize;
        this.batchSize = batchSize;
        this.progress = progress;
    }

    /**
     * Runs {@code f} over {@code rows} into {@code sink}; {@code total} is the number of rows for the progress (-1 if
     * unknown). Returns the number of rows read.
     */
    public <I, O> long run(Iterator<I> rows, long total, BatchFunction<I, O> f, ShardSink<O> sink) {
        Set<Long> done = sink.completed();
        long read = 0;
        for (long shard = 0; rows.hasNext(); shard++) {
            List<I> shardRows = new ArrayList<>(shardSize);
            while (shardRows.size() < shardSize && rows.hasNext()) shardRows.add(rows.next());
            read += shardRows.size();
            if (!done.contains(shard)) sink.write(shard, runShard(shardRows, f, read - shardRows.size(), total));
            synchronized (progress) {
                progress.update(read, total);
            }
        }
        return read;
    }

    private <I, O> List<O> runShard(List<I> shardRows, BatchFunction<I, O> f, long before, long total) {
        int batches = (shardRows.size() + batchSize - 1) / batchSize;
        List<List<O>> results = new ArrayList<>(java.util.Collections.nCopies(batches, null));
        AtomicLong finished = new AtomicLong(before);
        // The lowest failing batch's error is thrown, whichever thread saw it first: the same input gives the same error.
        workers.forEachOnPool(batches, b -> {
            List<I> batch = shardRows.subList(b * batchSize, Math.min(shardRows.size(), (b + 1) * batchSize));
            List<O> out = f.apply(batch);
            if (out.size() != batch.size()) throw new IllegalStateException("a batch of " + batch.size() + " rows gave " + out.size() + " results");
            results.set(b, out);
            long now = finished.addAndGet(batch.size());
            synchronized (progress) {
                progress.update(now, total);
            }
        });
        List<O> out = new ArrayList<>(shardRows.size());
        for (List<O> r : results) out.addAll(r);
        return out;
    }
}
