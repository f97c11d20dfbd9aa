package dev.jlens.model;

import dev.jlens.Fixtures;
import dev.jlens.hooks.Hook;
import dev.jlens.tensor.Parallel;
import dev.jlens.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;

import static dev.jlens.Fixtures.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

/** Two models with runtimes of their own in one JVM: each computes TransformerLens' numbers on its own threads. */
class JlensRuntimeTest {
    /** Makes a pool's threads and remembers them. */
    private static final class CountingFactory implements ForkJoinPool.ForkJoinWorkerThreadFactory {
        final Set<Thread> made = ConcurrentHashMap.newKeySet();

        @Override
        public ForkJoinWorkerThread newThread(ForkJoinPool pool) {
            ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
            made.add(t);
            return t;
        }
    }

    /** What TransformerLens computed for fixture A: the last two positions' logits of the pet prompt. */
    private static final Tensor EXPECTED_LAST2 = Fixtures.referenceTensor("a", "cache/unembed.hook_out.last2");

    private static void assertReferenceLogits(String what, HookedTransformer model) {
        Tensor logits = model.forward(Fixtures.PET_PROMPT).get(0);
        int pos = logits.shape(0);
        assertClose(what, logits.get(dev.jlens.tensor.Index.range(pos - 2, pos)), EXPECTED_LAST2);
    }

    /** A run of the pet prompt whose kernels, seen from inside the run (a hook), use {@code pool}. */
    private static void assertRunsOn(String what, HookedTransformer model, Parallel pool) {
        model.runWithHooks(model.toTokens(Fixtures.PET_PROMPT), List.of(Hook.of("blocks.0.hook_resid_pre", (act, hook) -> {
            assertThat(Parallel.current()).as(what).isSameAs(pool);
            assertThat(Parallel.threads()).as(what).isEqualTo(pool.size());
            return null;
        })));
    }

    @Test
    void twoModelsOnRuntimesOfTheirOwnRunConcurrentlyEachOnItsOwnThreads(@TempDir Path cache) throws Exception {
        CountingFactory threadsOfTwo = new CountingFactory(), threadsOfThree = new CountingFactory();
        try (Parallel two = new Parallel(2, threadsOfTwo); Parallel three = new Parallel(3, threadsOfThree)) {
            CacheSettings settings = new CacheSettings(Optional.of(cache), Long.MAX_VALUE, line -> {});
            JlensRuntime runtimeOfTwo = JlensRuntime.defaults().withParallel(two).withCache(settings).withWarmUp(false);
            JlensRuntime runtimeOfThree = JlensRuntime.defaults().withParallel(three).withCache(settings).withWarmUp(false);
            HookedTransformer a = HookedTransformer.fromFolder(Fixtures.modelDir("a"), "a", WeightProcessing.Options.DEFAULT, runtimeOfTwo);
            HookedTransformer b = HookedTransformer.fromFolder(Fixtures.modelDir("a"), "a", WeightProcessing.Options.DEFAULT, runtimeOfThree);
            HookedTransformer.awaitCacheWrites();
            assertThat(a.runtime()).isSameAs(runtimeOfTwo);
            assertThat(a.withHooks().withUseAttnResult(true).runtime()).as("views keep the runtime").isSameAs(runtimeOfTwo);

            int rounds = 20;
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService callers = Executors.newFixedThreadPool(2);
            try {
                Future<?> onTwo = callers.submit(() -> {
                    start.await();
                    for (int i = 0; i < rounds; i++) {
                        assertReferenceLogits("model on 2 threads, round " + i, a);
                        assertRunsOn("model on 2 threads, round " + i, a, two);
                    }
                    return null;
                });
                Future<?> onThree = callers.submit(() -> {
                    start.await();
                    for (int i = 0; i < rounds; i++) {
                        assertReferenceLogits("model on 3 threads, round " + i, b);
                        assertRunsOn("model on 3 threads, round " + i, b, three);
                    }
                    return null;
                });
                start.countDown();
                onTwo.get();
                onThree.get();
            } finally {
                callers.shutdownNow();
            }
            // Each pool made threads, never more than its size, and none of them is the other pool's.
            assertThat(threadsOfTwo.made).isNotEmpty().hasSizeLessThanOrEqualTo(2);
            assertThat(threadsOfThree.made).isNotEmpty().hasSizeLessThanOrEqualTo(3);
            assertThat(threadsOfTwo.made).doesNotContainAnyElementsOf(threadsOfThree.made);
        }
    }

    @Test
    void aModelsKernelsRunOnItsRuntimesPoolAndNoOther() {
        CountingFactory mine = new CountingFactory(), other = new CountingFactory();
        try (Parallel pool = new Parallel(2, mine); Parallel unused = new Parallel(2, other)) {
            HookedTransformer model = Fixtures.model("a").withRuntime(JlensRuntime.defaults().withParallel(pool));
            assertRunsOn("a hook of a run", model, pool);
            assertReferenceLogits("model on its own pool", model);
            assertThat(mine.made).as("threads made for the model's runs (it was loaded elsewhere)").isNotEmpty();
            assertThat(other.made).isEmpty();
            assertThat(Parallel.current()).as("outside the model's runs").isSameAs(Parallel.common());
        }
    }

    @Test
    void theDefaultRuntimeIsTheCommonPoolWithTheEnvironmentsCache() {
        JlensRuntime defaults = JlensRuntime.defaults();
        assertThat(defaults.parallel()).isSameAs(Parallel.common());
        assertThat(defaults.collectsGarbage()).isTrue();
        assertThat(defaults.cache().folder()).isEqualTo(CacheSettings.fromEnvironment(System.getenv()).folder());
        assertThat(Fixtures.model("a").runtime().parallel()).isSameAs(Parallel.common());
    }
}
