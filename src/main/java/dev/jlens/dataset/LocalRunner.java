package dev.jlens.dataset;

import dev.jlens.JlensException;
import dev.jlens.util.Progress;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;

/**
 * Runs a {@link BatchFunction} over a dataset on this machine's cores: the rows are read in order, a shard at a time
 * (so memory does not grow with the dataset), each shard's batches are spread over {@code threads} workers, and the
 * shard's results, in row order, go to the sink. Each batch runs whole on one worker (its kernels do not fan out
 * further), so a row's values do not depend on the number of threads. Completed shards are skipped.
 */
public final class LocalRunner {
    private final int threads, shardSize, batchSize;
    private final Progress progress;

    public LocalRunner(int threads, int shardSize, int batchSize, Progress progress) {
        if (threads < 1 || shardSize < 1 || batchSize < 1) throw new IllegalArgumentException("threads, shard size and batch size must be positive");
        this.threads = threads;
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
        ForkJoinPool pool = new ForkJoinPool(threads);
        try {
            long read = 0;
            for (long shard = 0; rows.hasNext(); shard++) {
                List<I> shardRows = new ArrayList<>(shardSize);
                while (shardRows.size() < shardSize && rows.hasNext()) shardRows.add(rows.next());
                read += shardRows.size();
                if (!done.contains(shard)) sink.write(shard, runShard(pool, shardRows, f, read - shardRows.size(), total));
                synchronized (progress) {
                    progress.update(read, total);
                }
            }
            return read;
        } finally {
            pool.shutdownNow();
        }
    }

    private <I, O> List<O> runShard(ForkJoinPool pool, List<I> shardRows, BatchFunction<I, O> f, long before, long total) {
        List<Future<List<O>>> batches = new ArrayList<>();
        java.util.concurrent.atomic.AtomicLong finished = new java.util.concurrent.atomic.AtomicLong(before);
        for (int start = 0; start < shardRows.size(); start += batchSize) {
            List<I> batch = shardRows.subList(start, Math.min(shardRows.size(), start + batchSize));
            batches.add(pool.submit(() -> {
                List<O> out = f.apply(batch);
                if (out.size() != batch.size()) throw new IllegalStateException("a batch of " + batch.size() + " rows gave " + out.size() + " results");
                long now = finished.addAndGet(batch.size());
                synchronized (progress) {
                    progress.update(now, total);
                }
                return out;
            }));
        }
        List<O> out = new ArrayList<>(shardRows.size());
        try {
            for (Future<List<O>> b : batches) out.addAll(b.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JlensException("interrupted");
        } catch (ExecutionException e) {
            for (Future<List<O>> b : batches) b.cancel(true);
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        }
        return out;
    }
}
