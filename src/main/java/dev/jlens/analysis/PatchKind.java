package dev.jlens.analysis;

import dev.jlens.tensor.Tensor;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * The patching sweeps an experiment file can ask for, by TransformerLens' names without the
 * {@code get_act_patch_} prefix ({@code "resid_pre"}, {@code "attn_head_out_all_pos"}, ...).
 */
public enum PatchKind {
    RESID_PRE(Patching::residPre),
    RESID_MID(Patching::residMid),
    ATTN_OUT(Patching::attnOut),
    MLP_OUT(Patching::mlpOut),
    ATTN_HEAD_OUT_ALL_POS(Patching::attnHeadOutAllPos),
    ATTN_HEAD_OUT_BY_POS(Patching::attnHeadOutByPos),
    ATTN_HEAD_PATTERN_ALL_POS(Patching::attnHeadPatternAllPos),
    BLOCK_EVERY(Patching::blockEvery),
    ATTN_HEAD_ALL_POS_EVERY(Patching::attnHeadAllPosEvery),
    ATTN_HEAD_Q_ALL_POS(Patching::attnHeadQAllPos),
    ATTN_HEAD_K_ALL_POS(Patching::attnHeadKAllPos),
    ATTN_HEAD_V_ALL_POS(Patching::attnHeadVAllPos),
    ATTN_HEAD_Q_BY_POS(Patching::attnHeadQByPos),
    ATTN_HEAD_K_BY_POS(Patching::attnHeadKByPos),
    ATTN_HEAD_V_BY_POS(Patching::attnHeadVByPos),
    ATTN_HEAD_PATTERN_BY_POS(Patching::attnHeadPatternByPos),
    ATTN_HEAD_PATTERN_DEST_SRC_POS(Patching::attnHeadPatternDestSrcPos),
    ATTN_HEAD_BY_POS_EVERY(Patching::attnHeadByPosEvery);

    private final Function<Patching, Tensor> sweep;

    PatchKind(Function<Patching, Tensor> sweep) {
        this.sweep = sweep;
    }

    /** The name in experiment files and result JSON, e.g. {@code attn_head_out_all_pos}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public Tensor run(Patching patching) {
        return sweep.apply(patching);
    }

    /** How many patched runs the sweep makes, for progress reporting. */
    public long runs(Patching p) {
        return runs(p.range(Patching.Axis.LAYER), p.range(Patching.Axis.POS), p.range(Patching.Axis.HEAD));
    }

    /** How many patched runs (the values of its result) the sweep makes on a model of these sizes. */
    long runs(long l, long pos, long h) {
        return switch (this) {
            case RESID_PRE, RESID_MID, ATTN_OUT, MLP_OUT -> l * pos;
            case ATTN_HEAD_OUT_ALL_POS, ATTN_HEAD_Q_ALL_POS, ATTN_HEAD_K_ALL_POS, ATTN_HEAD_V_ALL_POS, ATTN_HEAD_PATTERN_ALL_POS -> l * h;
            case ATTN_HEAD_OUT_BY_POS, ATTN_HEAD_Q_BY_POS, ATTN_HEAD_K_BY_POS, ATTN_HEAD_V_BY_POS, ATTN_HEAD_PATTERN_BY_POS -> l * pos * h;
            case ATTN_HEAD_PATTERN_DEST_SRC_POS -> l * h * pos * pos;
            case BLOCK_EVERY -> 3 * l * pos;
            case ATTN_HEAD_ALL_POS_EVERY -> 5 * l * h;
            case ATTN_HEAD_BY_POS_EVERY -> 5 * l * pos * h;
        };
    }

    public static Optional<PatchKind> byId(String id) {
        return Arrays.stream(values()).filter(k -> k.id().equals(id)).findFirst();
    }

    public static String allIds() {
        return String.join(", ", Arrays.stream(values()).map(PatchKind::id).toList());
    }
}
