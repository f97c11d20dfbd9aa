package dev.jlens.spark;

import dev.jlens.JlensException;
import dev.jlens.model.HookedTransformer;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The models loaded in this JVM (an executor, or the driver in local mode), one per {@link ModelRef}: the first task
 * that needs a model loads it (its weights mapped), and every later task of the JVM shares it. A model that cannot be
 * loaded is not remembered, so a retried task tries again. Its kernels run on the calling task's thread alone: the
 * executor's tasks at once are the parallelism, as the local engine's batches are, instead of every task spreading
 * its kernels over all cores while the other tasks do the same.
 */
public final class ExecutorModels {
    private static final Map<ModelRef, HookedTransformer> LOADED = new ConcurrentHashMap<>();
    private static final AtomicInteger LOADS = new AtomicInteger();
    /** One thread, the caller's: a pool of one runs every kernel inline and never starts a thread. */
    private static final dev.jlens.tensor.Parallel ON_THE_TASK_THREAD = new dev.jlens.tensor.Parallel(1, "jlens-task");

    private ExecutorModels() {}

    public static HookedTransformer get(ModelRef ref) {
        return LOADED.computeIfAbsent(ref, r -> {
            try {
                HookedTransformer loaded = r.load();
                HookedTransformer m = loaded.withRuntime(loaded.runtime().withParallel(ON_THE_TASK_THREAD));
                LOADS.incrementAndGet();
                return m;
            } catch (RuntimeException e) {
                throw new JlensException(r + ": the model cannot be loaded on executor " + host() + " (" + e.getMessage()
                        + "); give a folder every node sees, a name in each node's Hugging Face cache, or ship it with --archives", e);
            }
        });
    }

    /** How many models this JVM has loaded. */
    public static int loads() {
        return LOADS.get();
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "(unknown host)";
        }
    }
}
