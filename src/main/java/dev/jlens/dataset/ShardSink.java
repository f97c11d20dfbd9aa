package dev.jlens.dataset;

import java.util.List;
import java.util.Set;

/**
 * Where a job's results go, shard by shard: shard k holds the results of input rows [k * size, (k + 1) * size). A
 * shard is written whole or not at all, so a job stopped part-way resumes from the shards that are complete.
 */
public interface ShardSink<O> {
    /** The shards already complete (from an earlier, interrupted run), which are not computed again. */
    Set<Long> completed();

    void write(long shard, List<O> rows);
}
