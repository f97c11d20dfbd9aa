package dev.jlens.dataset;

import dev.jlens.tensor.Parallel;
import dev.jlens.util.Progress;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link LocalRunner}: the caller's pool runs the batches; results come in row order, shard by shard. */
class LocalRunnerTest {
    private static final Progress QUIET = Progress.NONE;

    /** On the pool's threads only, never the caller's: there a batch's kernels run inline, on any number of threads. */
    @Test
    void batchesRunOnTheCallersPoolsThreadsWithTheirKernelsInline() {
        Set<String> threads = ConcurrentHashMap.newKeySet();
        Set<Boolean> inline = ConcurrentHashMap.newKeySet();
        CollectingSink<Integer> sink = new CollectingSink<>();
        for (int n : new int[] {1, 3}) {
            try (Parallel pool = new Parallel(n, "runner-test")) {
                new LocalRunner(pool, 10, 1, QUIET).run(IntStream.range(0, 40).boxed().iterator(), 40, batch -> {
                    threads.add(Thread.currentThread().getName());
                    inline.add(java.util.concurrent.ForkJoinTask.inForkJoinPool());
                    return batch.stream().map(i -> i * i).toList();
                }, sink);
            }
        }
        assertThat(threads).isNotEmpty().allMatch(t -> t.startsWith("runner-test-"));
        assertThat(inline).containsExactly(true);
        assertThat(sink.rows()).as("the two runs' results, in row order").isEqualTo(IntStream.range(0, 80).map(i -> (i % 40) * (i % 40)).boxed().toList());
    }

    @Test
    void completedShardsAreSkippedAndTheOthersWrittenInOrder() {
        List<Long> written = new ArrayList<>();
        List<Integer> computed = new ArrayList<>();
        ShardSink<Integer> sink = new ShardSink<>() {
            @Override
            public Set<Long> completed() {
                return Set.of(1L);
            }

            @Override
            public void write(long shard, List<Integer> rows) {
                written.add(shard);
                assertThat(rows).isEqualTo(IntStream.range((int) shard * 4, Math.min(10, (int) shard * 4 + 4)).boxed().toList());
            }
        };
        try (Parallel pool = new Parallel(2, "runner-test")) {
            long read = new LocalRunner(pool, 4, 3, QUIET).run(IntStream.range(0, 10).boxed().iterator(), 10, batch -> {
                synchronized (computed) {
                    computed.addAll(batch);
                }
                return batch;
            }, sink);
            assertThat(read).isEqualTo(10);
        }
        assertThat(written).containsExactly(0L, 2L);
        assertThat(computed).containsExactlyInAnyOrder(0, 1, 2, 3, 8, 9);
    }

    @Test
    void theFirstFailingBatchsErrorIsThrown() {
        try (Parallel pool = new Parallel(4, "runner-test")) {
            LocalRunner runner = new LocalRunner(pool, 100, 1, QUIET);
            assertThatThrownBy(() -> runner.run(IntStream.range(0, 100).boxed().iterator(), 100, batch -> {
                if (batch.getFirst() >= 30) throw new IllegalArgumentException("row " + batch.getFirst());
                return batch;
            }, new CollectingSink<>())).hasMessage("row 30");
        }
    }
}
