package dev.jlens.experiment;

import dev.jlens.patching.PatchKind;
import dev.jlens.patching.PatchSite;
import dev.jlens.patching.Patching;

import dev.jlens.JlensException;
import dev.jlens.model.JlensRuntime;
import dev.jlens.model.ModelConfig;
import dev.jlens.model.PatchEngine;
import dev.jlens.model.PositionalEmbeddingType;
import dev.jlens.tensor.Parallel;

import java.util.List;
import java.util.Locale;

/**
 * An upper bound of the heap an experiment's analysis needs beyond what the loaded model already holds, computed from
 * the model's sizes before anything runs, so that a request too large for the heap is refused up front with the
 * estimate instead of failing half-way with an out-of-memory error. It adds up, in floats of 4 bytes:
 * <ul>
 * <li>the clean run's activation cache: every hook point of every layer (resid_pre, ln1's normalized and scale, q, k,
 *     v, z, attn_out, resid_mid, ln2's, mlp pre and post, mlp_out, resid_post; the attention scores and pattern
 *     [batch, head, pos, pos]), embed, pos_embed, ln_final's, and unembed's input and output: the cache keeps its
 *     own copy of the logits [batch, pos, d_vocab]</li>
 * <li>the run's logits themselves, and one layer's temporaries while the forward pass runs</li>
 * <li>with corrupted prompts, their logits; with patching, the engine's corrupted run (resid_pre, resid_mid,
 *     resid_post, k, v per layer and the one extra site a sweep reads), a batch of jobs (each its patched copy of
 *     the site, its residual state and its last position's logits [batch, 1, d_vocab]; the largest of any sweep),
 *     the engine's workspace (it grows to a chunk of jobs: at most a sweep's runs, at most its row budget), each thread's keys,
 *     values and scores, and each sweep's result</li>
 * </ul>
 * plus {@link #FIXED_BYTES} for what does not grow with the request's shape (the report's page and the result's JSON
 * of small requests, the run's bookkeeping). {@code MemoryEstimateMeasuredTest} checks it against the heap measured in a JVM
 * of its own (at or above the most heap held live at once, by at most about 3 times).
 *
 * @param bytes        the estimate
 * @param largestTensor the number of values of the largest single tensor (a Java array holds at most 2^31 - 1)
 * @param largestName  what that tensor is, for the message
 * @param prompts      batch size
 * @param positions    tokens per prompt
 */
public record MemoryEstimate(long bytes, long largestTensor, String largestName, int prompts, int positions) {
    /** What any analysis needs whatever its shape: the report's page and result's JSON of a small request, the run's bookkeeping. */
    static final long FIXED_BYTES = 20L << 20;

    /** An analysis that would not fit: the message says the estimate and the heap. */
    public static final class TooLarge extends JlensException {
        TooLarge(String message) {
            super(message);
        }
    }

    /** As {@link #ofAnalysis(ModelConfig, int, int, boolean, List, int)} for a run on the current pool ({@link Parallel#threads()}). */
    public static MemoryEstimate ofAnalysis(ModelConfig cfg, int prompts, int positions, boolean corrupted, List<PatchKind> patching) {
        return ofAnalysis(cfg, prompts, positions, corrupted, patching, Parallel.threads());
    }

    /**
     * The estimate for {@code prompts} prompts of {@code positions} tokens (BOS included) on a model of {@code cfg}
     * whose kernels run on {@code threads} threads.
     */
    public static MemoryEstimate ofAnalysis(ModelConfig cfg, int prompts, int positions, boolean corrupted, List<PatchKind> patching, int threads) {
        // In doubles: absurd sizes must give an absurd estimate, not an overflow.
        double b = prompts, p = positions, l = cfg.nLayers(), d = cfg.dModel(), h = cfg.nHeads(), v = cfg.dVocabOut();
        double kv = cfg.kvWidth(), mlpArrays = cfg.dMlp() * (cfg.gatedMlp() ? 3.0 : 2.0);
        double rows = b * p;
        double attention = rows * h * p;                      // one layer's attention scores or pattern, [batch, head, pos, pos]
        double logits = rows * v;
        double floats = cacheFloats(cfg, prompts, positions);
        floats += logits;                                    // the run's logits
        floats += rows * (mlpArrays + 4 * d) + 2 * attention; // one layer's temporaries while the forward pass runs
        if (corrupted) floats += logits;                     // the corrupted run's logits (its average logit difference)
        if (corrupted && !patching.isEmpty()) {
            // The engine's corrupted run: resid_pre, resid_mid, resid_post, k, v per layer and the one extra site a
            // sweep reads (attention patterns the largest), its copies of keys and values, and the batched jobs.
            floats += l * (rows * (3 * d + 4 * kv) + Math.max(rows * d, attention)) + b * v;
            // The largest batch of jobs of any sweep: each job its patched copy of the site (an attention pattern, or
            // rows x d), its residual state, and its last position's normalized row and logits.
            long maxRuns = 0;
            double batch = 0;
            for (PatchKind k : patching) {
                long runs = k.runs(cfg, positions) / sweeps(k);
                maxRuns = Math.max(maxRuns, runs);
                double site = patchesPatterns(k) ? Math.max(rows * d, attention) : rows * d;
                batch = Math.max(batch, Math.min(Patching.JOBS_PER_BATCH, runs) * (site + rows * d + b * (d + v)));
            }
            floats += batch;
            floats += PatchEngine.workspaceFloats(cfg, prompts, positions, maxRuns)
                    + threads * (2 * p * Math.max(d, kv) + p * p);   // each thread's keys, values and scores
            for (PatchKind k : patching) floats += k.runs(cfg, positions);  // its result
        }
        double largest = logits;
        String largestName = "the logits [" + prompts + ", " + positions + ", " + cfg.dVocabOut() + "]";
        if (attention > largest) {
            largest = attention;
            largestName = "an attention pattern [" + prompts + ", " + cfg.nHeads() + ", " + positions + ", " + positions + "]";
        }
        return new MemoryEstimate(toLong(4 * floats + FIXED_BYTES), toLong(largest), largestName, prompts, positions);
    }

    /**
     * The values of a clean run's full activation cache, every hook point the model has: per layer the residual
     * points, the norms' outputs and scales (and the post norms'), queries and z per query head, keys and values per
     * key/value head (and their rotated copies with rotary positions), the MLP's arrays (three when gated), scores and
     * pattern; then embed, pos_embed (learned positions only), ln_final's, unembed.hook_in and the logits of unembed.hook_out.
     */
    public static double cacheFloats(ModelConfig cfg, int prompts, int positions) {
        double rows = (double) prompts * positions, d = cfg.dModel(), he = (double) cfg.nHeads() * cfg.dHead(), kv = cfg.kvWidth();
        boolean rotary = cfg.positionalEmbeddingType() == PositionalEmbeddingType.ROTARY;
        boolean post = cfg.variant().normalizationBeforeAndAfter();
        double perRow = (cfg.parallelAttnMlp() ? 6 : 7) * d + 2          // resid_pre/mid/post, ln1/ln2 normalized, attn_out, mlp_out; 2 scales
                + 2 * he + 2 * kv + (rotary ? he + kv : 0)                 // q, z, k, v (rot_q, rot_k)
                + cfg.dMlp() * (cfg.gatedMlp() ? 3.0 : 2.0)                // mlp pre (pre_linear) post
                + (post ? 2 * d + 2 : 0);                                   // ln1_post, ln2_post
        double attention = rows * cfg.nHeads() * positions;
        return cfg.nLayers() * (rows * perRow + 2 * attention) + rows * ((cfg.hasPosEmbed() ? 4 : 3) * d + 1) + rows * cfg.dVocabOut();
    }

    /** The sweeps a kind runs one after another (the "every" kinds: one per part), each with its share of the runs. */
    private static int sweeps(PatchKind k) {
        return k.parts().isEmpty() ? 1 : k.parts().size();
    }

    /** Whether a sweep of the kind patches attention patterns (the largest site). */
    private static boolean patchesPatterns(PatchKind k) {
        java.util.stream.Stream<PatchKind> singles = k.parts().isEmpty() ? java.util.stream.Stream.of(k) : k.parts().stream().map(PatchKind.Part::kind);
        return singles.anyMatch(s -> s.sweep().map(w -> w.site() == PatchSite.PATTERN).orElse(false));
    }

    private static long toLong(double x) {
        return x >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) Math.ceil(x);
    }

    /**
     * Throws {@link TooLarge} (naming {@code source}) when a tensor would exceed a Java array or the estimate
     * exceeds {@code availableBytes}.
     */
    public void requireFits(String source, long availableBytes, long maxHeapBytes) {
        String shape = prompts + " prompt" + (prompts == 1 ? "" : "s") + " of " + positions + " tokens";
        if (largestTensor > Integer.MAX_VALUE) {
            throw new TooLarge(source + ": the analysis of " + shape + " needs " + largestName + ", " + largestTensor
                    + " values, more than one tensor can hold (2^31 - 1); use fewer or shorter prompts");
        }
        if (bytes > availableBytes) {
            throw new TooLarge(source + ": the analysis of " + shape + " needs about " + size(bytes) + " of memory but only "
                    + size(Math.max(0, availableBytes)) + " of the " + size(maxHeapBytes) + " heap is free; "
                    + "use fewer or shorter prompts, or give the JVM more (JLENS_JAVA_OPTS=-Xmx<size>)");
        }
    }

    /**
     * As {@link #requireFits(String, long, long)} against this JVM's heap; when it is close, after a full collection
     * if {@code runtime} allows them (else garbage not yet collected counts as used).
     */
    public void requireFitsInHeap(String source, JlensRuntime runtime) {
        Runtime rt = Runtime.getRuntime();
        if (largestTensor <= Integer.MAX_VALUE && bytes > free(rt)) runtime.collectGarbage();
        requireFits(source, free(rt), rt.maxMemory());
    }

    private static long free(Runtime rt) {
        return rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
    }

    /** Bytes in binary units, e.g. {@code 8.1 GB}. */
    public static String size(long bytes) {
        if (bytes == Long.MAX_VALUE) return "more than 8 EB";
        String[] units = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
        double value = bytes;
        int u = 0;
        while (value >= 1024 && u < units.length - 1) {
            value /= 1024;
            u++;
        }
        return u == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", value, units[u]);
    }
}
