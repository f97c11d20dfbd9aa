package dev.jlens.tensor;

import java.util.Arrays;

/** Shape arithmetic shared by the tensor types: element counts, strides, broadcasting, axis normalization. */
public final class Shape {
    private Shape() {}

    public static int numel(int... shape) {
        long n = 1;
        for (int s : shape) {
            if (s < 0) throw new IllegalArgumentException("negative dimension in shape " + str(shape));
            n *= s;
            if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("shape " + str(shape) + " has more than 2^31-1 elements");
        }
        return (int) n;
    }

    /** Row-major strides (in elements). */
    public static int[] strides(int... shape) {
        int[] st = new int[shape.length];
        int s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            st[i] = s;
            s *= shape[i];
        }
        return st;
    }

    /** Python-style axis: -1 is the last. */
    public static int axis(int axis, int rank) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw new IndexOutOfBoundsException("dimension " + axis + " out of range for rank " + rank);
        return a;
    }

    /** NumPy broadcasting of two shapes. */
    public static int[] broadcast(int[] a, int[] b) {
        int r = Math.max(a.length, b.length);
        int[] out = new int[r];
        for (int i = 0; i < r; i++) {
            int da = i - (r - a.length) >= 0 ? a[i - (r - a.length)] : 1;
            int db = i - (r - b.length) >= 0 ? b[i - (r - b.length)] : 1;
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("shapes " + str(a) + " and " + str(b) + " do not broadcast");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** Strides of {@code shape} seen as broadcast to {@code target} (0 where the dimension is repeated). */
    static int[] broadcastStrides(int[] shape, int[] target) {
        int[] own = strides(shape);
        int[] st = new int[target.length];
        int lead = target.length - shape.length;
        for (int i = 0; i < shape.length; i++) st[lead + i] = shape[i] == 1 ? 0 : own[i];
        return st;
    }

    /** Resolves one -1 entry from the element count. */
    static int[] infer(int numel, int... shape) {
        int[] out = shape.clone();
        int unknown = -1, known = 1;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == -1) {
                if (unknown >= 0) throw new IllegalArgumentException("only one dimension can be -1: " + str(shape));
                unknown = i;
            } else {
                known *= out[i];
            }
        }
        if (unknown >= 0) {
            if (known == 0 || numel % known != 0) throw new IllegalArgumentException("cannot reshape " + numel + " elements to " + str(shape));
            out[unknown] = numel / known;
        }
        if (numel(out) != numel) throw new IllegalArgumentException("cannot reshape " + numel + " elements to " + str(shape));
        return out;
    }

    public static String str(int... shape) {
        return Arrays.toString(shape);
    }
}
