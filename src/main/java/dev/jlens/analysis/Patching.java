package dev.jlens.analysis;

import dev.jlens.JlensException;
import dev.jlens.cache.ActivationCache;
import dev.jlens.hooks.ActName;
import dev.jlens.hooks.Hook;
import dev.jlens.model.ForwardOptions;
import dev.jlens.model.HookedTransformer;
import dev.jlens.model.PatchEngine;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;
import dev.jlens.util.Progress;

import java.util.ArrayList;
import java.util.List;

/**
 * TransformerLens' {@code patching} module: run the corrupted tokens once per index with one clean
 * activation pasted in, and record the metric. The four arguments every TransformerLens helper takes are
 * held here once; each helper is a method with TransformerLens' output shape and index order:
 *
 * <pre>{@code
 * Patching p = new Patching(model, corruptedTokens, cleanCache, LogitDiff.normalized(answers, clean, corrupted));
 * Tensor residPre = p.residPre();             // [n_layers, pos]
 * Tensor heads = p.attnHeadOutAllPos();       // [n_layers, n_heads]
 * }</pre>
 */
public final class Patching {
    /** Index axes of a sweep (TransformerLens' AxisNames); their ranges come from the model and the tokens. */
    public enum Axis { LAYER, POS, HEAD_INDEX, HEAD, SRC_POS, DEST_POS }

    /** Pastes the clean value into the corrupted activation, in place, at one index (its first entry is the layer). */
    @FunctionalInterface
    public interface PatchSetter {
        void patch(Tensor corrupted, int[] index, Tensor clean);
    }

    /** {@code act[:, pos, ...]}. */
    public static final PatchSetter LAYER_POS = (act, i, clean) -> copy(act, clean, ":", i[1]);
    /** {@code act[:, pos, head]}. */
    public static final PatchSetter LAYER_POS_HEAD_VECTOR = (act, i, clean) -> copy(act, clean, ":", i[1], i[2]);
    /** {@code act[:, :, head]}. */
    public static final PatchSetter LAYER_HEAD_VECTOR = (act, i, clean) -> copy(act, clean, ":", ":", i[1]);
    /** {@code act[:, head, :, :]}. */
    public static final PatchSetter LAYER_HEAD_PATTERN = (act, i, clean) -> copy(act, clean, ":", i[1]);
    /** {@code act[:, head, dest, :]}. */
    public static final PatchSetter LAYER_HEAD_POS_PATTERN = (act, i, clean) -> copy(act, clean, ":", i[1], i[2]);
    /** {@code act[:, head, dest, src]}. */
    public static final PatchSetter LAYER_HEAD_DEST_SRC_POS_PATTERN = (act, i, clean) -> copy(act, clean, ":", i[1], i[2], i[3]);

    private static void copy(Tensor act, Tensor clean, Object... index) {
        act.set(index, clean.get(index));
    }

    private final HookedTransformer model;
    private final IntTensor corruptedTokens;
    private final ActivationCache cleanCache;
    private final PatchingMetric metric;
    private final Progress progress;
    private final boolean reuse;
    private final CorruptedRun corruptedRun;

    public Patching(HookedTransformer model, IntTensor corruptedTokens, ActivationCache cleanCache, PatchingMetric metric) {
        this(model, corruptedTokens, cleanCache, metric, Progress.NONE, true, new CorruptedRun());
    }

    /** Sweeps over a corrupted run made beforehand with {@link CorruptedRun#of}: they start from its engine. */
    public Patching(HookedTransformer model, CorruptedRun corrupted, ActivationCache cleanCache, PatchingMetric metric) {
        this(model, corrupted.tokens, cleanCache, metric, Progress.NONE, true, corrupted);
    }

    private Patching(HookedTransformer model, IntTensor corruptedTokens, ActivationCache cleanCache, PatchingMetric metric,
                     Progress progress, boolean reuse, CorruptedRun corruptedRun) {
        if (!cleanCache.hasBatchDim()) throw new JlensException("patching needs a clean cache with its batch dimension (not removeBatchDim)");
        this.model = model;
        this.corruptedTokens = corruptedTokens;
        this.cleanCache = cleanCache;
        this.metric = metric;
        this.progress = progress;
        this.reuse = reuse;
        this.corruptedRun = corruptedRun;
    }

    /** The same sweeps, reporting each finished run to {@code progress}. */
    public Patching withProgress(Progress p) {
        return new Patching(model, corruptedTokens, cleanCache, metric, p, reuse, corruptedRun);
    }

    /**
     * The same sweeps done TransformerLens' way: one full forward pass per index with a hook that pastes the
     * clean activation. The reference the faster {@link PatchEngine} path is tested against.
     */
    public Patching plain() {
        return new Patching(model, corruptedTokens, cleanCache, metric, progress, false, corruptedRun);
    }

    /** The size of an axis: n_layers, the token length, or n_heads. */
    public int range(Axis axis) {
        return switch (axis) {
            case LAYER -> model.cfg().nLayers();
            case POS, SRC_POS, DEST_POS -> corruptedTokens.shape(-1);
            case HEAD_INDEX, HEAD -> model.cfg().nHeads();
        };
    }

    /**
     * {@code generic_activation_patch}: for every index of the axes (row-major, last axis fastest), run the
     * corrupted tokens with {@code setter} pasting the clean activation into
     * {@code get_act_name(activationName, layer=index[0])}, and record the metric. Shape: the axes' ranges.
     */
    public Tensor generic(String activationName, PatchSetter setter, List<Axis> axes) {
        // A model with hooks or spliced modules is patched one forward pass per index: the engine would bypass them.
        if (reuse && !model.hasInterventions() && metric.readsFinalPositionOnly() && FastSweep.supports(activationName)) {
            return new FastSweep(corruptedRun.forSites(model, corruptedTokens, FastSweep.sitesFor(activationName)), cleanCache, metric, progress)
                    .run(activationName, setter, axes.stream().mapToInt(this::range).toArray());
        }
        int[] shape = axes.stream().mapToInt(this::range).toArray();
        Tensor out = Tensor.zeros(shape);
        int total = out.size();
        int[] index = new int[shape.length];
        ForwardOptions forward = ForwardOptions.LOGITS.withLastLogitsOnly(metric.readsFinalPositionOnly());
        for (int run = 0; run < total; run++) {
            int[] at = index.clone();
            String name = ActName.get(activationName, at[0]);
            Tensor clean = cleanCache.get(name);
            Tensor logits = model.runWithHooks(corruptedTokens, forward, List.of(Hook.of(name, (act, hook) -> {
                setter.patch(act, at, clean);
                return null;
            }))).logits();
            out.data()[run] = metric.apply(logits);
            progress.update(run + 1, total);
            for (int d = shape.length - 1; d >= 0 && ++index[d] == shape[d]; d--) index[d] = 0;
        }
        return out;
    }

    /**
     * The corrupted run's {@link PatchEngine}, made on first use with the sites the sweeps need and shared by
     * withProgress copies. Made up front with {@link #of}, it also gives the corrupted last-position logits
     * that a metric's baseline needs, so an analysis runs the corrupted prompt once, not twice.
     */
    public static final class CorruptedRun {
        private IntTensor tokens;
        private PatchEngine engine;
        private java.util.Set<String> sites = java.util.Set.of();

        private CorruptedRun() {}

        /** Runs the corrupted tokens now, caching what the residual-stream sweeps read. */
        public static CorruptedRun of(HookedTransformer model, IntTensor corruptedTokens) {
            CorruptedRun run = new CorruptedRun();
            run.tokens = corruptedTokens;
            run.forSites(model, corruptedTokens, java.util.Set.of());
            return run;
        }

        /** The corrupted run's logits at the last position, [batch, 1, d_vocab]. */
        public Tensor lastLogits() {
            return engine.corruptedLogits();
        }

        synchronized PatchEngine forSites(HookedTransformer model, IntTensor tokens, java.util.Set<String> needed) {
            if (engine == null || !sites.containsAll(needed)) {
                java.util.Set<String> all = new java.util.HashSet<>(sites);
                all.addAll(needed);
                engine = PatchEngine.forCorrupted(model, tokens, all);
                sites = all;
            }
            return engine;
        }
    }

    // ---- the helpers of TransformerLens' patching module ---------------------------------------------

    /** [n_layers, pos]. */
    public Tensor residPre() {
        return generic("resid_pre", LAYER_POS, List.of(Axis.LAYER, Axis.POS));
    }

    public Tensor residMid() {
        return generic("resid_mid", LAYER_POS, List.of(Axis.LAYER, Axis.POS));
    }

    public Tensor attnOut() {
        return generic("attn_out", LAYER_POS, List.of(Axis.LAYER, Axis.POS));
    }

    public Tensor mlpOut() {
        return generic("mlp_out", LAYER_POS, List.of(Axis.LAYER, Axis.POS));
    }

    /** Each head's output (z, before W_O) at each position: [n_layers, pos, n_heads]. */
    public Tensor attnHeadOutByPos() {
        return generic("z", LAYER_POS_HEAD_VECTOR, List.of(Axis.LAYER, Axis.POS, Axis.HEAD));
    }

    public Tensor attnHeadQByPos() {
        return generic("q", LAYER_POS_HEAD_VECTOR, List.of(Axis.LAYER, Axis.POS, Axis.HEAD));
    }

    public Tensor attnHeadKByPos() {
        return generic("k", LAYER_POS_HEAD_VECTOR, List.of(Axis.LAYER, Axis.POS, Axis.HEAD));
    }

    public Tensor attnHeadVByPos() {
        return generic("v", LAYER_POS_HEAD_VECTOR, List.of(Axis.LAYER, Axis.POS, Axis.HEAD));
    }

    /** [n_layers, n_heads, dest_pos]. */
    public Tensor attnHeadPatternByPos() {
        return generic("pattern", LAYER_HEAD_POS_PATTERN, List.of(Axis.LAYER, Axis.HEAD_INDEX, Axis.DEST_POS));
    }

    /** [n_layers, n_heads, dest_pos, src_pos]. */
    public Tensor attnHeadPatternDestSrcPos() {
        return generic("pattern", LAYER_HEAD_DEST_SRC_POS_PATTERN, List.of(Axis.LAYER, Axis.HEAD_INDEX, Axis.DEST_POS, Axis.SRC_POS));
    }

    /** Each head's output (z) at all positions: [n_layers, n_heads]. */
    public Tensor attnHeadOutAllPos() {
        return generic("z", LAYER_HEAD_VECTOR, List.of(Axis.LAYER, Axis.HEAD));
    }

    public Tensor attnHeadQAllPos() {
        return generic("q", LAYER_HEAD_VECTOR, List.of(Axis.LAYER, Axis.HEAD));
    }

    public Tensor attnHeadKAllPos() {
        return generic("k", LAYER_HEAD_VECTOR, List.of(Axis.LAYER, Axis.HEAD));
    }

    public Tensor attnHeadVAllPos() {
        return generic("v", LAYER_HEAD_VECTOR, List.of(Axis.LAYER, Axis.HEAD));
    }

    /** [n_layers, n_heads]. */
    public Tensor attnHeadPatternAllPos() {
        return generic("pattern", LAYER_HEAD_PATTERN, List.of(Axis.LAYER, Axis.HEAD_INDEX));
    }

    /** resid_pre, attn_out and mlp_out stacked: [3, n_layers, pos]. */
    public Tensor blockEvery() {
        return Tensor.stack(List.of(residPre(), attnOut(), mlpOut()), 0);
    }

    /** Head output, q, k, v and pattern, all positions: [5, n_layers, n_heads]. */
    public Tensor attnHeadAllPosEvery() {
        return Tensor.stack(List.of(attnHeadOutAllPos(), attnHeadQAllPos(), attnHeadKAllPos(), attnHeadVAllPos(),
                attnHeadPatternAllPos()), 0);
    }

    /** Head output, q, k, v by position, and pattern by destination position: [5, n_layers, pos, n_heads]. */
    public Tensor attnHeadByPosEvery() {
        List<Tensor> parts = new ArrayList<>(List.of(attnHeadOutByPos(), attnHeadQByPos(), attnHeadKByPos(), attnHeadVByPos()));
        parts.add(attnHeadPatternByPos().permute(0, 2, 1));
        return Tensor.stack(parts, 0);
    }
}
