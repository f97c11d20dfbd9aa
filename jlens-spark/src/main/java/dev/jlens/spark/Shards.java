package dev.jlens.spark;

import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import scala.Tuple2;

/**
 * A dataset's rows numbered in their order (from 0, as the local engine numbers them) and cut into shards of
 * {@code size} consecutive rows, one Spark partition (one task) each, rows in order within it: shard k holds rows
 * [k * size, (k + 1) * size), as in {@link dev.jlens.dataset.ShardSink}. A task is a shard, so a lost task is
 * recomputed from its rows alone, and the same rows always meet in the same batches.
 */
final class Shards {
    private Shards() {}

    static <T> JavaPairRDD<Long, T> of(JavaRDD<T> rows, int size) {
        return of(rows, size, Long.MAX_VALUE);
    }

    /** The first {@code limit} rows only. */
    static <T> JavaPairRDD<Long, T> of(JavaRDD<T> rows, int size, long limit) {
        return numbered(rows.zipWithIndex().mapToPair(Tuple2::swap), size, limit).rows();
    }

    /** Rows cut into shards, and how many there are. */
    record Sharded<T>(JavaPairRDD<Long, T> rows, long count) {}

    /** Rows numbered already (from 0, in order), the first {@code limit} of them cut into shards of {@code size}. */
    static <T> Sharded<T> numbered(JavaPairRDD<Long, T> indexed, int size, long limit) {
        if (limit < Long.MAX_VALUE) indexed = indexed.filter(r -> r._1() < limit);
        long count = indexed.count();
        int shards = (int) Math.max(1, (count + size - 1) / size);
        return new Sharded<>(indexed.repartitionAndSortWithinPartitions(new ByRow(shards, size)), count);
    }

    /** Row i goes to shard i / size. */
    private static final class ByRow extends Partitioner {
        private final int shards, size;

        ByRow(int shards, int size) {
            this.shards = shards;
            this.size = size;
        }

        @Override
        public int numPartitions() {
            return shards;
        }

        @Override
        public int getPartition(Object key) {
            return (int) Math.min(shards - 1, (Long) key / size);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ByRow b && b.shards == shards && b.size == size;
        }

        @Override
        public int hashCode() {
            return 31 * shards + size;
        }
    }
}
