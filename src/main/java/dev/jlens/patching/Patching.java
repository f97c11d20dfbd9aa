package dev.jlens.patching;

import dev.jlens.analysis.PatchingMetric;

import dev.jlens.JlensException;
import dev.jlens.cache.ActivationCache;
import dev.jlens.hooks.ActName;
import dev.jlens.hooks.Hook;
import dev.jlens.model.ForwardOptions;
import dev.jlens.model.HookedTransformer;
import dev.jlens.model.ModelConfig;
import dev.jlens.model.PatchEngine;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;
import dev.jlens.util.Progress;

import java.util.List;
import java.util.Locale;

/**
 * TransformerLens' {@code patching} module: run the corrupted tokens once per index with one clean
 * activation pasted in, and record the metric. The four arguments every TransformerLens helper takes are
 * held here once; each helper is a method with TransformerLens' output shape and index order (what each one
 * patches, and how, is its {@link PatchKind}):
 *
 * <pre>{@code
 * Patching p = new Patching(model, corruptedTokens, cleanCache, LogitDiff.normalized(answers, clean, corrupted));
 * Tensor residPre = p.residPre();             // [n_layers, pos]
 * Tensor heads = p.attnHeadOutAllPos();       // [n_layers, n_heads]
 * }</pre>
 */
public final class Patching {
    /** Patched runs the fast engine takes at once, so job inputs do not pile up for very large sweeps. */
    public static final int JOBS_PER_BATCH = 256;

    /** Index axes of a sweep (TransformerLens' AxisNames); their ranges come from the model and the tokens. */
    public enum Axis {
        LAYER("Layer"), POS("Position"), HEAD_INDEX("Head"), HEAD("Head"), SRC_POS("Source position"), DEST_POS("Destination position");

        private final String title;

        Axis(String title) {
            this.title = title;
        }

        /** TransformerLens' name, e.g. {@code head_index}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The axis' title on a figure. */
        public String title() {
            return title;
        }

        public boolean isPosition() {
            return this == POS || this == SRC_POS || this == DEST_POS;
        }

        /** Its size: n_layers, the number of positions, or n_heads. */
        public int size(ModelConfig cfg, int positions) {
            return switch (this) {
                case LAYER -> cfg.nLayers();
                case POS, SRC_POS, DEST_POS -> positions;
                case HEAD_INDEX, HEAD -> cfg.nHeads();
            };
        }
    }

    /**
     * Pastes the clean value into the corrupted activation, in place, at one index (its first entry is the
     * layer): the region {@link #region} names of the activation.
     */
    @FunctionalInterface
    public interface PatchSetter {
        /** The index of the activation's region the patch at {@code index} writes, e.g. {@code [":", pos]}. */
        Object[] region(int[] index);

        default void patch(Tensor corrupted, int[] index, Tensor clean) {
            Object[] region = region(index);
            corrupted.set(region, clean.get(region));
        }
    }

    /** {@code act[:, pos, ...]}. */
    public static final PatchSetter LAYER_POS = i -> new Object[] {":", i[1]};
    /** {@code act[:, pos, head]}. */
    public static final PatchSetter LAYER_POS_HEAD_VECTOR = i -> new Object[] {":", i[1], i[2]};
    /** {@code act[:, :, head]}. */
    public static final PatchSetter LAYER_HEAD_VECTOR = i -> new Object[] {":", ":", i[1]};
    /** {@code act[:, head, :, :]}. */
    public static final PatchSetter LAYER_HEAD_PATTERN = i -> new Object[] {":", i[1]};
    /** {@code act[:, head, dest, :]}. */
    public static final PatchSetter LAYER_HEAD_POS_PATTERN = i -> new Object[] {":", i[1], i[2]};
    /** {@code act[:, head, dest, src]}. */
    public static final PatchSetter LAYER_HEAD_DEST_SRC_POS_PATTERN = i -> new Object[] {":", i[1], i[2], i[3]};

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
        return axis.size(model.cfg(), corruptedTokens.shape(-1));
    }

    /**
     * {@code generic_activation_patch}: for every index of the axes (row-major, last axis fastest), run the
     * corrupted tokens with {@code setter} pasting the clean activation into
     * {@code get_act_name(activationName, layer=index[0])}, and record the metric. Shape: the axes' ranges.
     */
    public Tensor generic(String activationName, PatchSetter setter, List<Axis> axes) {
        if (model.cfg().nKeyValueHeads() != model.cfg().nHeads() && (activationName.equals("k") || activationName.equals("v")) && axes.contains(Axis.HEAD)) {
            // TransformerLens indexes the grouped keys and values by query head, and fails past the key/value heads
            throw new dev.jlens.JlensException("patching " + activationName + " per head is not defined with grouped-query attention: hook_"
                    + activationName + " has " + model.cfg().nKeyValueHeads() + " key/value heads for " + model.cfg().nHeads() + " heads");
        }
        // A model with hooks or spliced modules is patched one forward pass per index: the engine would bypass them.
        PatchSite site = PatchSite.byActName(activationName).filter(PatchSite::hasFastPath).orElse(null);
        if (reuse && !model.hasInterventions() && metric.readsFinalPositionOnly() && site != null) {
            return new FastSweep(corruptedRun.forSites(model, corruptedTokens, site.engineSites()), cleanCache, metric, progress)
                    .run(site, setter, axes.stream().mapToInt(this::range).toArray());
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

    // ---- the helpers of TransformerLens' patching module (each kind's sweep is described by PatchKind) ----

    /** [n_layers, pos]. */
    public Tensor residPre() {
        return PatchKind.RESID_PRE.run(this);
    }

    /** [n_layers, pos]. */
    public Tensor residMid() {
        return PatchKind.RESID_MID.run(this);
    }

    /** [n_layers, pos]. */
    public Tensor attnOut() {
        return PatchKind.ATTN_OUT.run(this);
    }

    /** [n_layers, pos]. */
    public Tensor mlpOut() {
        return PatchKind.MLP_OUT.run(this);
    }

    /** Each head's output (z, before W_O) at each position: [n_layers, pos, n_heads]. */
    public Tensor attnHeadOutByPos() {
        return PatchKind.ATTN_HEAD_OUT_BY_POS.run(this);
    }

    /** [n_layers, pos, n_heads]. */
    public Tensor attnHeadQByPos() {
        return PatchKind.ATTN_HEAD_Q_BY_POS.run(this);
    }

    /** [n_layers, pos, n_heads]. */
    public Tensor attnHeadKByPos() {
        return PatchKind.ATTN_HEAD_K_BY_POS.run(this);
    }

    /** [n_layers, pos, n_heads]. */
    public Tensor attnHeadVByPos() {
        return PatchKind.ATTN_HEAD_V_BY_POS.run(this);
    }

    /** [n_layers, n_heads, dest_pos]. */
    public Tensor attnHeadPatternByPos() {
        return PatchKind.ATTN_HEAD_PATTERN_BY_POS.run(this);
    }

    /** [n_layers, n_heads, dest_pos, src_pos]. */
    public Tensor attnHeadPatternDestSrcPos() {
        return PatchKind.ATTN_HEAD_PATTERN_DEST_SRC_POS.run(this);
    }

    /** Each head's output (z) at all positions: [n_layers, n_heads]. */
    public Tensor attnHeadOutAllPos() {
        return PatchKind.ATTN_HEAD_OUT_ALL_POS.run(this);
    }

    /** [n_layers, n_heads]. */
    public Tensor attnHeadQAllPos() {
        return PatchKind.ATTN_HEAD_Q_ALL_POS.run(this);
    }

    /** [n_layers, n_heads]. */
    public Tensor attnHeadKAllPos() {
        return PatchKind.ATTN_HEAD_K_ALL_POS.run(this);
    }

    /** [n_layers, n_heads]. */
    public Tensor attnHeadVAllPos() {
        return PatchKind.ATTN_HEAD_V_ALL_POS.run(this);
    }

    /** [n_layers, n_heads]. */
    public Tensor attnHeadPatternAllPos() {
        return PatchKind.ATTN_HEAD_PATTERN_ALL_POS.run(this);
    }

    /** Head output, q, k, v and pattern, all positions: [5, n_layers, n_heads]. */
    public Tensor attnHeadAllPosEvery() {
        return PatchKind.ATTN_HEAD_ALL_POS_EVERY.run(this);
    }

    /** Head output, q, k, v by position, and pattern by destination position: [5, n_layers, pos, n_heads]. */
    public Tensor attnHeadByPosEvery() {
        return PatchKind.ATTN_HEAD_BY_POS_EVERY.run(this);
    }

    /** resid_pre, attn_out and mlp_out stacked: [3, n_layers, pos]. */
    public Tensor blockEvery() {
        return PatchKind.BLOCK_EVERY.run(this);
    }
}
