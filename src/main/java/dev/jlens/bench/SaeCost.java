package dev.jlens.bench;

import dev.jlens.JlensException;
import dev.jlens.cache.ActivationCache;
import dev.jlens.model.CacheOptions;
import dev.jlens.model.ForwardOptions;
import dev.jlens.model.HookedTransformer;
import dev.jlens.sae.FeatureActivations;
import dev.jlens.sae.Sae;
import dev.jlens.sae.SaeSplice;
import dev.jlens.sae.Saes;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an SAE spliced in costs beside the block it sits in ({@code jlens bench --sae}): the block alone (run from its
 * input to its output, {@code start_at_layer}/{@code stop_at_layer}), the same block with the SAE spliced in (without
 * its error term, as {@code HookedSAETransformer} runs by default), and the SAE by itself on that activation. The
 * variants are interleaved, so load on the machine hits them alike; each figure is a median.
 *
 * @param l0 the mean number of features firing per position on the random prompt
 */
public record SaeCost(String hookName, int layer, int tokens, double blockMillis, double splicedBlockMillis, double saeMillis, double l0) {
    private static final Pattern BLOCK = Pattern.compile("^blocks\\.(\\d+)\\.");

    /** The SAE's cost: the spliced block's time minus the block's. */
    public double saeInBlockMillis() {
        return splicedBlockMillis - blockMillis;
    }

    /** The block the SAE sits in; one line when it sits outside the blocks. */
    public static int layerOf(Sae sae) {
        Matcher m = BLOCK.matcher(sae.hookName());
        if (!m.find()) throw new JlensException(sae.source() + ": bench times an SAE inside a block, and " + sae.hookName() + " is not a block's hook point");
        return Integer.parseInt(m.group(1));
    }

    public static SaeCost measure(HookedTransformer model, Sae sae, int tokens, int runs) {
        int layer = layerOf(sae);
        HookedTransformer spliced = Saes.withSaes(model, false, sae);
        SplittableRandom rnd = new SplittableRandom(0);
        int[] ids = new int[tokens];
        for (int i = 0; i < tokens; i++) ids[i] = rnd.nextInt(model.cfg().dVocab());
        IntTensor prompt = IntTensor.of(new int[][] {ids});
        String input = "blocks." + layer + ".hook_resid_pre", acts = sae.hookName() + "." + SaeSplice.ACTS_POST;
        ActivationCache cache = spliced.runWithCache(prompt, CacheOptions.ALL.withNamesFilter(n -> n.equals(input) || n.equals(sae.hookName()) || n.equals(acts))).cache();
        Tensor residual = cache.get(input), activation = cache.get(sae.hookName());
        ForwardOptions oneBlock = ForwardOptions.NONE.startingAt(layer, residual).stoppingAt(layer + 1);
        SaeSplice alone = new SaeSplice(sae, false);
        Runnable[] variants = {
                () -> model.run(prompt, oneBlock),
                () -> spliced.run(prompt, oneBlock),
                () -> alone.apply(activation, (child, a) -> a)};
        long warmUpStart = System.nanoTime();
        for (int i = 0; i < Benchmark.WARM_UP_FORWARDS || System.nanoTime() - warmUpStart < Benchmark.WARM_UP_NANOS; i++) for (Runnable v : variants) v.run();
        double[][] ms = new double[variants.length][runs];
        for (int r = 0; r < runs; r++) {
            for (int v = 0; v < variants.length; v++) {
                long s = System.nanoTime();
                variants[v].run();
                ms[v][r] = (System.nanoTime() - s) / 1e6;
            }
        }
        double[] median = new double[variants.length];
        for (int v = 0; v < variants.length; v++) {
            Arrays.sort(ms[v]);
            median[v] = ms[v][runs / 2];
        }
        return new SaeCost(sae.hookName(), layer, tokens, median[0], median[1], median[2], FeatureActivations.l0(cache.get(acts)));
    }
}
