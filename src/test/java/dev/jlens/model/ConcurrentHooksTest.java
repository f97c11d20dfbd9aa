package dev.jlens.model;

import dev.jlens.Fixtures;
import dev.jlens.hooks.Hook;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One loaded model, many threads at once, each with its own prompt and its own patching hook (as the web UI's
 * requests and a user's own threads share one model): every run gives exactly the logits it gives alone, and
 * every hook fires only in the run it was given to.
 */
class ConcurrentHooksTest {
    private static final HookedTransformer MODEL = Fixtures.model("a");
    private static final List<String> PROMPTS = List.of("When John and Mary went to the shops, John gave the bag to", "1 2 3 4",
            "Mary is a human. Fido is a dog.", "The pet of this family is");

    /** The run of thread {@code t}: its prompt, with its own constant added to the residual stream of layer 1. */
    private static Tensor run(int t, AtomicInteger calls) {
        IntTensor tokens = MODEL.toTokens(PROMPTS.get(t));
        float shift = 0.25f * (t + 1);
        return MODEL.runWithHooks(tokens, List.of(Hook.of("blocks.1.hook_resid_pre", (act, hook) -> {
            calls.incrementAndGet();
            assertThat(act.shape()[1]).as("the activation of thread " + t + "'s own prompt").isEqualTo(tokens.shape(1));
            return act.add(Tensor.full(shift, act.shape()));
        })));
    }

    @Test
    void concurrentRunsWithTheirOwnHooksGiveTheirOwnResults() throws Exception {
        List<float[]> alone = new ArrayList<>(), plain = new ArrayList<>();
        for (int t = 0; t < PROMPTS.size(); t++) {
            alone.add(run(t, new AtomicInteger()).toArray());
            plain.add(MODEL.forward(MODEL.toTokens(PROMPTS.get(t))).toArray());
        }
        int rounds = 25;
        AtomicInteger[] calls = new AtomicInteger[PROMPTS.size()];
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(PROMPTS.size());
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < PROMPTS.size(); t++) {
                int thread = t;
                calls[t] = new AtomicInteger();
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < rounds; i++) {
                        assertThat(run(thread, calls[thread]).toArray()).as("thread " + thread + " round " + i).isEqualTo(alone.get(thread));
                        // and a plain run in between, which no hook may touch
                        assertThat(MODEL.forward(MODEL.toTokens(PROMPTS.get(thread))).toArray()).as("plain run").isEqualTo(plain.get(thread));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) f.get();
        } finally {
            pool.shutdownNow();
        }
        for (int t = 0; t < PROMPTS.size(); t++) assertThat(calls[t].get()).as("hook of thread " + t).isEqualTo(rounds);
    }
}
