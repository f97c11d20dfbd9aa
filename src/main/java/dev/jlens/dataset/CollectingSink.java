package dev.jlens.dataset;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** A sink that keeps every result in memory, in row order: for jobs whose results are a few numbers per row. */
public final class CollectingSink<O> implements ShardSink<O> {
    private final List<O> rows = new ArrayList<>();

    @Override
    public Set<Long> completed() {
        return Set.of();
    }

    @Override
    public void write(long shard, List<O> shardRows) {
        rows.addAll(shardRows);
    }

    public List<O> rows() {
        return rows;
    }
}
