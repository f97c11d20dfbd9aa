package dev.jlens.patching;

import dev.jlens.patching.Patching.Axis;
import dev.jlens.patching.Patching.PatchSetter;
import dev.jlens.model.ModelConfig;
import dev.jlens.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.ToIntFunction;
import java.util.stream.IntStream;

import static dev.jlens.patching.Patching.Axis.DEST_POS;
import static dev.jlens.patching.Patching.Axis.HEAD;
import static dev.jlens.patching.Patching.Axis.HEAD_INDEX;
import static dev.jlens.patching.Patching.Axis.LAYER;
import static dev.jlens.patching.Patching.Axis.POS;
import static dev.jlens.patching.Patching.Axis.SRC_POS;

/**
 * TransformerLens' 18 patching helpers ({@code get_act_patch_<id>}), in the order of its {@code patching.py},
 * each described once: the activation it patches, the setter and index axes of its
 * {@code generic_activation_patch} call (or, for the {@code *_every} helpers, the helpers it stacks), and
 * from these its result's shape, run count, engine support and figure layout. Experiment files and result
 * JSON name a kind by its {@link #id()} ({@code "resid_pre"}, {@code "attn_head_out_all_pos"}, ...).
 */
public enum PatchKind {
    RESID_PRE(PatchSite.RESID_PRE, Patching.LAYER_POS, LAYER, POS),
    RESID_MID(PatchSite.RESID_MID, Patching.LAYER_POS, LAYER, POS),
    ATTN_OUT(PatchSite.ATTN_OUT, Patching.LAYER_POS, LAYER, POS),
    MLP_OUT(PatchSite.MLP_OUT, Patching.LAYER_POS, LAYER, POS),
    ATTN_HEAD_OUT_BY_POS(PatchSite.Z, Patching.LAYER_POS_HEAD_VECTOR, LAYER, POS, HEAD),
    ATTN_HEAD_Q_BY_POS(PatchSite.Q, Patching.LAYER_POS_HEAD_VECTOR, LAYER, POS, HEAD),
    ATTN_HEAD_K_BY_POS(PatchSite.K, Patching.LAYER_POS_HEAD_VECTOR, LAYER, POS, HEAD),
    ATTN_HEAD_V_BY_POS(PatchSite.V, Patching.LAYER_POS_HEAD_VECTOR, LAYER, POS, HEAD),
    ATTN_HEAD_PATTERN_BY_POS(PatchSite.PATTERN, Patching.LAYER_HEAD_POS_PATTERN, LAYER, HEAD_INDEX, DEST_POS),
    ATTN_HEAD_PATTERN_DEST_SRC_POS(PatchSite.PATTERN, Patching.LAYER_HEAD_DEST_SRC_POS_PATTERN, LAYER, HEAD_INDEX, DEST_POS, SRC_POS),
    ATTN_HEAD_OUT_ALL_POS(PatchSite.Z, Patching.LAYER_HEAD_VECTOR, LAYER, HEAD),
    ATTN_HEAD_Q_ALL_POS(PatchSite.Q, Patching.LAYER_HEAD_VECTOR, LAYER, HEAD),
    ATTN_HEAD_K_ALL_POS(PatchSite.K, Patching.LAYER_HEAD_VECTOR, LAYER, HEAD),
    ATTN_HEAD_V_ALL_POS(PatchSite.V, Patching.LAYER_HEAD_VECTOR, LAYER, HEAD),
    ATTN_HEAD_PATTERN_ALL_POS(PatchSite.PATTERN, Patching.LAYER_HEAD_PATTERN, LAYER, HEAD_INDEX),
    ATTN_HEAD_ALL_POS_EVERY(new Part("output", ATTN_HEAD_OUT_ALL_POS), new Part("query", ATTN_HEAD_Q_ALL_POS),
            new Part("key", ATTN_HEAD_K_ALL_POS), new Part("value", ATTN_HEAD_V_ALL_POS), new Part("pattern", ATTN_HEAD_PATTERN_ALL_POS)),
    ATTN_HEAD_BY_POS_EVERY(new Part("output", ATTN_HEAD_OUT_BY_POS), new Part("query", ATTN_HEAD_Q_BY_POS),
            new Part("key", ATTN_HEAD_K_BY_POS), new Part("value", ATTN_HEAD_V_BY_POS),
            new Part("pattern", ATTN_HEAD_PATTERN_BY_POS, 0, 2, 1)),   // [layer, head, dest_pos] as [layer, pos, head]
    BLOCK_EVERY(new Part("resid_pre", RESID_PRE), new Part("attn_out", ATTN_OUT), new Part("mlp_out", MLP_OUT));

    /** One {@code generic_activation_patch} call: the activation, the setter, the index axes in TransformerLens' order. */
    public record Sweep(PatchSite site, PatchSetter setter, List<Axis> axes) {}

    /**
     * One slice of a stacked kind's result: another kind's result with its axes put in the order of {@code order}
     * (empty: as they are).
     */
    public record Part(String label, PatchKind kind, int... order) {}

    /**
     * How a result (one part of a stacked kind) is drawn: one heatmap per index of {@code figures}, its rows
     * indexed by {@code rows} and its columns by {@code columns}, each list in TransformerLens' index order.
     * The columns are the last position axis (the last axis when there is none); a second position axis
     * makes the rows, and the axes left make one figure each; otherwise the axes left are the rows.
     */
    public record Layout(List<Axis> figures, List<Axis> rows, List<Axis> columns) {
        static Layout of(List<Axis> axes) {
            List<Axis> positions = axes.stream().filter(Axis::isPosition).toList();
            Axis column = positions.isEmpty() ? axes.getLast() : positions.getLast();
            List<Axis> rest = new ArrayList<>(axes);
            rest.remove(column);
            if (positions.size() < 2) return new Layout(List.of(), List.copyOf(rest), List.of(column));
            rest.remove(positions.getFirst());
            return new Layout(List.copyOf(rest), List.of(positions.getFirst()), List.of(column));
        }
    }

    private final Sweep sweep;
    private final List<Part> parts;
    private final List<Axis> axes;

    PatchKind(PatchSite site, PatchSetter setter, Axis... axes) {
        this.sweep = new Sweep(site, setter, List.of(axes));
        this.parts = List.of();
        this.axes = List.of(axes);
    }

    /** A stack of other kinds' results along a new first axis (TransformerLens' {@code patch_type}). */
    PatchKind(Part... parts) {
        this.sweep = null;
        this.parts = List.of(parts);
        this.axes = parts[0].kind().axes;
    }

    /** The name in experiment files and result JSON, e.g. {@code attn_head_out_all_pos}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** TransformerLens' helper, e.g. {@code get_act_patch_resid_pre}. */
    public String transformerLensFunction() {
        return "get_act_patch_" + id();
    }

    /** Its one {@code generic_activation_patch} call; empty for a stacked kind. */
    public Optional<Sweep> sweep() {
        return Optional.ofNullable(sweep);
    }

    /** The kinds a stacked kind's result is made of, in stacking order; empty for a single sweep. */
    public List<Part> parts() {
        return parts;
    }

    /** The index axes of its result (of each part, for a stacked kind), in TransformerLens' order. */
    public List<Axis> axes() {
        return axes;
    }

    /** Its result's axis names, e.g. {@code [layer, head_index, dest_pos]} or {@code [patch_type, layer, pos]}. */
    public List<String> resultAxisNames() {
        List<String> names = new ArrayList<>();
        if (!parts.isEmpty()) names.add("patch_type");
        for (Axis a : axes) names.add(a.id());
        return names;
    }

    /** Its result's shape on a model of {@code cfg} for tokens of {@code positions} positions. */
    public int[] shape(ModelConfig cfg, int positions) {
        return shape(a -> a.size(cfg, positions));
    }

    private int[] shape(ToIntFunction<Axis> size) {
        IntStream each = axes.stream().mapToInt(size);
        return parts.isEmpty() ? each.toArray() : IntStream.concat(IntStream.of(parts.size()), each).toArray();
    }

    /** How many patched runs it makes on a model of {@code cfg} (one per value of its result). */
    public long runs(ModelConfig cfg, int positions) {
        return count(shape(cfg, positions));
    }

    /** How many patched runs it makes, for progress reporting. */
    public long runs(Patching p) {
        return count(shape(p::range));
    }

    private static long count(int[] shape) {
        return Arrays.stream(shape).asLongStream().reduce(1, Math::multiplyExact);
    }

    /** Whether every sweep it makes takes the patching engine's fast path (when the metric allows). */
    public boolean hasFastPath() {
        return sweep != null ? sweep.site().hasFastPath() : parts.stream().allMatch(p -> p.kind().hasFastPath());
    }

    /** How its result (each part's, for a stacked kind) is drawn. */
    public Layout layout() {
        return Layout.of(axes);
    }

    public Tensor run(Patching patching) {
        if (sweep != null) return patching.generic(sweep.site().actName(), sweep.setter(), sweep.axes());
        List<Tensor> results = new ArrayList<>();
        for (Part part : parts) {
            Tensor t = part.kind().run(patching);
            results.add(part.order().length == 0 ? t : t.permute(part.order()));
        }
        return Tensor.stack(results, 0);
    }

    /**
     * Its attribution patching: the same shape and index order as {@link #run}, each value the sum over the
     * patched region of (clean - corrupted activation) x d metric / d activation on the corrupted run.
     */
    public Tensor attribute(Attribution attribution) {
        if (sweep != null) return attribution.generic(sweep.site().actName(), sweep.setter(), sweep.axes());
        List<Tensor> results = new ArrayList<>();
        for (Part part : parts) {
            Tensor t = part.kind().attribute(attribution);
            results.add(part.order().length == 0 ? t : t.permute(part.order()));
        }
        return Tensor.stack(results, 0);
    }

    public static Optional<PatchKind> byId(String id) {
        return Arrays.stream(values()).filter(k -> k.id().equals(id)).findFirst();
    }

    public static String allIds() {
        return String.join(", ", Arrays.stream(values()).map(PatchKind::id).toList());
    }
}
