package dev.jlens.cache;

import dev.jlens.tensor.Index;
import dev.jlens.tensor.Tensor;

import java.util.Arrays;

/**
 * TransformerLens' {@code utils.Slice}, the {@code pos_slice} / {@code batch_slice} / {@code neuron_slice}
 * argument: {@link #at} an integer (the dimension is dropped, as {@code pos_slice=-1} does), {@link #range} a
 * Python slice (dimension kept), {@link #of} a list of positions (dimension kept), or {@link #ALL}.
 */
public final class Slice {
    public static final Slice ALL = new Slice(null, null, null);

    private final Integer point;
    private final Index.Range range;
    private final int[] picks;

    private Slice(Integer point, Index.Range range, int[] picks) {
        this.point = point;
        this.range = range;
        this.picks = picks;
    }

    /** One position; the sliced dimension is removed. */
    public static Slice at(int index) {
        return new Slice(index, null, null);
    }

    /** TransformerLens' tuple form {@code (start, stop)}: positions [start, stop). Null ends are open. */
    public static Slice range(Integer start, Integer stop) {
        return new Slice(null, Index.range(start, stop), null);
    }

    public static Slice range(Integer start, Integer stop, int step) {
        return new Slice(null, Index.range(start, stop, step), null);
    }

    /** A list of positions, in this order (duplicates allowed). */
    public static Slice of(int... indices) {
        return new Slice(null, null, indices.clone());
    }

    public boolean isAll() {
        return point == null && range == null && picks == null;
    }

    /** Whether applying removes the dimension (the integer form). */
    public boolean dropsDimension() {
        return point != null;
    }

    /** The tensor sliced along {@code dim} (negative counts from the end). A copy unless ALL. */
    public Tensor apply(Tensor t, int dim) {
        if (isAll()) return t;
        int d = dim < 0 ? dim + t.rank() : dim;
        Object[] index = new Object[d + 1];
        Arrays.fill(index, ":");
        index[d] = point != null ? (Object) point : range != null ? range : picks;
        return t.get(index);
    }

    /** The positions selected on an axis of this size ({@code Slice.indices}; the integer form gives one). */
    public int[] indices(int size) {
        Tensor positions = Tensor.arange(size);
        if (point != null) return new int[] {(int) positions.get(point).item()};
        Tensor picked = apply(positions, 0);
        float[] f = picked.toArray();
        int[] out = new int[f.length];
        for (int i = 0; i < f.length; i++) out[i] = (int) f[i];
        return out;
    }

    @Override
    public String toString() {
        if (point != null) return "Slice.at(" + point + ")";
        if (range != null) return "Slice.range(" + range.start() + ", " + range.stop() + ", " + range.step() + ")";
        if (picks != null) return "Slice.of" + Arrays.toString(picks);
        return "Slice.ALL";
    }
}
