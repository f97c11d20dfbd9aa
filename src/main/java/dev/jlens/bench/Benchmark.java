package dev.jlens.bench;

import dev.jlens.analysis.LogitDiff;
import dev.jlens.patching.Patching;
import dev.jlens.cache.ActivationCache;
import dev.jlens.model.HookedTransformer;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * What {@code jlens bench} measures, on the PyTorch yardstick's terms: a forward pass with all-position
 * logits on random tokens (median of several after ten untimed ones), and the n_layers x positions resid_pre
 * patching sweep between two random token sequences (the clean cache taken before the clock starts, as
 * the yardstick does).
 */
public final class Benchmark {
    /** Times in the units {@code jlens bench --json} prints. */
    public record Result(double loadSeconds, double forwardMillis, double backwardMillis, double sweepSeconds, int tokens, int sweepRuns) {}

    static final int WARM_UP_FORWARDS = 10;
    /** Untimed passes go on until this much time has passed too: C2 is still compiling after ten short passes. */
    static final long WARM_UP_NANOS = 2_000_000_000L;

    private Benchmark() {}

    public static Result run(Supplier<HookedTransformer> loader, int tokens, int timedForwards, boolean sweep) {
        long t0 = System.nanoTime();
        HookedTransformer model = loader.get();
        double load = (System.nanoTime() - t0) / 1e9;

        SplittableRandom rnd = new SplittableRandom(0);
        IntTensor clean = randomTokens(rnd, tokens, model.cfg().dVocab());
        IntTensor corrupted = randomTokens(rnd, tokens, model.cfg().dVocab());
        // Untimed passes, at least ten and for at least two seconds: then the JIT has compiled the whole forward
        // pass (after ten 38-token passes on a 2-core machine it had not, and the median was 15% higher), so
        // the median is the steady state a patching study runs at.
        long warmUpStart = System.nanoTime();
        for (int i = 0; i < WARM_UP_FORWARDS || System.nanoTime() - warmUpStart < WARM_UP_NANOS; i++) model.forward(clean);
        double[] ms = new double[timedForwards];
        for (int i = 0; i < ms.length; i++) {
            long s = System.nanoTime();
            model.forward(clean);
            ms[i] = (System.nanoTime() - s) / 1e6;
        }
        Arrays.sort(ms);
        double backward = backwardMillis(model, clean, timedForwards);

        if (!sweep) return new Result(load, ms[ms.length / 2], backward, Double.NaN, tokens, 0);
        // the metric: the logit difference of two fixed tokens, normalized between the clean and corrupted runs
        IntTensor answers = IntTensor.of(new int[][] {{0, 1}});
        ActivationCache cleanCache = model.runWithCache(clean).cache();
        float cleanDiff = LogitDiff.average(model.forward(clean), answers);
        float corruptedDiff = LogitDiff.average(model.forward(corrupted), answers);
        long s = System.nanoTime();
        Tensor result = new Patching(model, corrupted, cleanCache, LogitDiff.normalized(answers, cleanDiff, corruptedDiff)).residPre();
        double sweepSeconds = (System.nanoTime() - s) / 1e9;
        return new Result(load, ms[ms.length / 2], backward, sweepSeconds, tokens, result.size());
    }

    /**
     * Forward and backward pass of the last position's logit difference between tokens 1 and 2 to every
     * activation (the yardstick's {@code --backward}), median after a few untimed runs.
     */
    private static double backwardMillis(HookedTransformer model, IntTensor tokens, int timed) {
        dev.jlens.model.LogitMetric metric = dev.jlens.analysis.GradientMetrics.logitDiff(IntTensor.of(new int[][] {{1, 2}}));
        for (int i = 0; i < 3; i++) model.runWithGradient(tokens, metric, java.util.List.of());
        double[] ms = new double[timed];
        for (int i = 0; i < ms.length; i++) {
            long s = System.nanoTime();
            model.runWithGradient(tokens, metric, java.util.List.of());
            ms[i] = (System.nanoTime() - s) / 1e6;
        }
        Arrays.sort(ms);
        return ms[ms.length / 2];
    }

    private static IntTensor randomTokens(SplittableRandom rnd, int n, int vocab) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = rnd.nextInt(vocab);
        return IntTensor.of(new int[][] {ids});
    }
}
