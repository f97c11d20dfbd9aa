package dev.jlens.model;

import dev.jlens.tensor.Parallel;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * What a model runs with that is the program's to decide, not the library's: the thread pool its kernels use,
 * whether loading starts the kernel warm-up, the processed-weights cache, and whether the library may ask the
 * JVM for a full collection where that hands memory back. A model keeps the runtime it was loaded with (see
 * {@link HookedTransformer#withRuntime}); two models with different runtimes run side by side in one JVM, each
 * on its own pool.
 *
 * <pre>{@code
 * try (Parallel pool = new Parallel(4, "analysis")) {   // 4 threads named analysis-1, ...
 *     JlensRuntime runtime = JlensRuntime.defaults().withParallel(pool).withWarmUp(false);
 *     HookedTransformer model = HookedTransformer.fromFolder(folder, "gpt2", WeightProcessing.Options.DEFAULT, runtime);
 *     ...
 * }
 * }</pre>
 *
 * @param parallel        the pool the model's kernels run on (its owner closes it)
 * @param warmUp          whether loading starts the kernel warm-up ({@code dev.jlens.tensor.WarmUp}) on a daemon thread
 * @param cache           where loads keep processed weights and built tokenizers
 * @param collectsGarbage whether a full collection may follow the conversion of a checkpoint over 1 GB and precede
 *                        a heap check that is close ({@link #collectGarbage})
 */
public record JlensRuntime(Parallel parallel, boolean warmUp, CacheSettings cache, boolean collectsGarbage) {
    public JlensRuntime {
        Objects.requireNonNull(parallel, "parallel");
        Objects.requireNonNull(cache, "cache");
    }

    /**
     * What callers that pass no runtime get, as the command line runs: {@link Parallel#common()}, the warm-up
     * unless {@code -Djlens.noWarmUp=true}, the cache of {@code JLENS_WEIGHTS_CACHE} and
     * {@code JLENS_WEIGHTS_CACHE_MAX_GB} (read now), and full collections where they hand memory back.
     */
    public static JlensRuntime defaults() {
        return new JlensRuntime(Parallel.common(), !Boolean.getBoolean("jlens.noWarmUp"), CacheSettings.fromEnvironment(System.getenv()), true);
    }

    public JlensRuntime withParallel(Parallel pool) {
        return new JlensRuntime(pool, warmUp, cache, collectsGarbage);
    }

    public JlensRuntime withWarmUp(boolean on) {
        return new JlensRuntime(parallel, on, cache, collectsGarbage);
    }

    public JlensRuntime withCache(CacheSettings settings) {
        return new JlensRuntime(parallel, warmUp, settings, collectsGarbage);
    }

    public JlensRuntime withCollectsGarbage(boolean on) {
        return new JlensRuntime(parallel, warmUp, cache, on);
    }

    /** Runs {@code work} with its kernels on this runtime's pool. */
    public <T> T call(Supplier<T> work) {
        return parallel.call(work);
    }

    /**
     * A full collection, when this runtime allows them: for a point where the heap holds much that is dead and
     * would otherwise stay committed (a converted checkpoint's arrays) or be counted as used (a heap check).
     */
    public void collectGarbage() {
        if (collectsGarbage) System.gc();
    }
}
