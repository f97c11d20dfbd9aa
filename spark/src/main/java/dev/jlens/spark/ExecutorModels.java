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
 * loaded is not remembered, so a retried task tries again.
 */
public final class ExecutorModels {
    private static final Map<ModelRef, HookedTransformer> LOADED = new ConcurrentHashMap<>();
    private static final AtomicInteger LOADS = new AtomicInteger();

    private ExecutorModels() {}

    public static HookedTransformer get(ModelRef ref) {
        return LOADED.computeIfAbsent(ref, r -> {
            try {
                HookedTransformer m = r.load();
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
