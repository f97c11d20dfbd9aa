package dev.jlens.tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * A NumPy/PyTorch-style index: one part per leading dimension, each an integer (selects and drops the
 * dimension; negative counts from the end), a range {@code start:stop:step} (keeps it), a list of
 * positions (keeps it), {@code :} (all) or {@code ...} (all remaining dimensions). Written as a string,
 * {@code "..., -1, :"} or {@code ":, 3, [0, 2]"}, or built with {@link #of}.
 */
public final class Index {
    sealed interface Part permits Point, Range, Pick, All, Rest {}

    record Point(int index) implements Part {}

    /** Python slice; null bounds mean "from the start" / "to the end". */
    public record Range(Integer start, Integer stop, int step) implements Part {
        public Range {
            if (step == 0) throw new IllegalArgumentException("slice step cannot be zero");
        }
    }

    record Pick(int[] indices) implements Part {}

    record All() implements Part {}

    record Rest() implements Part {}

    private final List<Part> parts;

    private Index(List<Part> parts) {
        int rests = 0;
        for (Part p : parts) if (p instanceof Rest) rests++;
        if (rests > 1) throw new IllegalArgumentException("an index can have only one '...'");
        this.parts = List.copyOf(parts);
    }

    /** {@code start:stop} (null for an open end). */
    public static Range range(Integer start, Integer stop) {
        return new Range(start, stop, 1);
    }

    public static Range range(Integer start, Integer stop, int step) {
        return new Range(start, stop, step);
    }

    /**
     * Parts given as Java values: Integer (a position), int[] (a list of positions), {@link Range},
     * the strings ":" and "..." (or any string part, parsed like {@link #parse}).
     */
    public static Index of(Object... parts) {
        List<Part> out = new ArrayList<>();
        for (Object o : parts) {
            switch (o) {
                case Integer i -> out.add(new Point(i));
                case int[] pick -> out.add(new Pick(pick.clone()));
                case Range r -> out.add(r);
                case String s -> out.addAll(parse(s).parts);
                case Index idx -> out.addAll(idx.parts);
                default -> throw new IllegalArgumentException("cannot index with " + o.getClass().getSimpleName());
            }
        }
        return new Index(out);
    }

    /** Parses {@code "..., -1, :"}, {@code "0, 2:5"}, {@code ":, [1, 3]"}, {@code "::-1"}. */
    public static Index parse(String spec) {
        List<Part> out = new ArrayList<>();
        for (String raw : splitTopLevel(spec)) {
            String s = raw.strip();
            if (s.isEmpty()) {
                if (spec.isBlank()) break;
                throw new IllegalArgumentException("empty part in index \"" + spec + "\"");
            }
            if (s.equals("...")) out.add(new Rest());
            else if (s.equals(":") || s.equals("::")) out.add(new All());
            else if (s.startsWith("[")) out.add(new Pick(parseList(s, spec)));
            else if (s.contains(":")) out.add(parseRange(s, spec));
            else out.add(new Point(parseInt(s, spec)));
        }
        return new Index(out);
    }

    private static List<String> splitTopLevel(String spec) {
        List<String> parts = new ArrayList<>();
        int depth = 0, start = 0;
        for (int i = 0; i < spec.length(); i++) {
            char c = spec.charAt(i);
            if (c == '[') depth++;
            else if (c == ']') depth--;
            else if (c == ',' && depth == 0) {
                parts.add(spec.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(spec.substring(start));
        return parts;
    }

    private static int[] parseList(String s, String spec) {
        if (!s.endsWith("]")) throw new IllegalArgumentException("unclosed list in index \"" + spec + "\"");
        String body = s.substring(1, s.length() - 1).strip();
        if (body.isEmpty()) return new int[0];
        String[] items = body.split(",");
        int[] out = new int[items.length];
        for (int i = 0; i < items.length; i++) out[i] = parseInt(items[i].strip(), spec);
        return out;
    }

    private static Range parseRange(String s, String spec) {
        String[] f = s.split(":", -1);
        if (f.length > 3) throw new IllegalArgumentException("bad slice '" + s + "' in index \"" + spec + "\"");
        Integer start = f[0].isBlank() ? null : parseInt(f[0].strip(), spec);
        Integer stop = f[1].isBlank() ? null : parseInt(f[1].strip(), spec);
        int step = f.length == 3 && !f[2].isBlank() ? parseInt(f[2].strip(), spec) : 1;
        return new Range(start, stop, step);
    }

    private static int parseInt(String s, String spec) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not an integer in index \"" + spec + "\"");
        }
    }

    /** The positions each dimension selects, and whether the dimension stays in the result. */
    record Resolved(int[][] positions, boolean[] kept) {
        int[] resultShape() {
            int n = 0;
            for (boolean k : kept) if (k) n++;
            int[] shape = new int[n];
            for (int d = 0, o = 0; d < kept.length; d++) if (kept[d]) shape[o++] = positions[d].length;
            return shape;
        }

        int[] selectionShape() {
            int[] shape = new int[positions.length];
            for (int d = 0; d < shape.length; d++) shape[d] = positions[d].length;
            return shape;
        }
    }

    Resolved resolve(int[] shape) {
        int explicit = 0;
        for (Part p : parts) if (!(p instanceof Rest)) explicit++;
        if (explicit > shape.length) {
            throw new IndexOutOfBoundsException("too many indices (" + explicit + ") for a tensor of shape " + Shape.str(shape));
        }
        int[][] pos = new int[shape.length][];
        boolean[] kept = new boolean[shape.length];
        int d = 0;
        for (Part p : parts) {
            if (p instanceof Rest) {
                int fill = shape.length - explicit;
                for (int i = 0; i < fill; i++, d++) {
                    pos[d] = all(shape[d]);
                    kept[d] = true;
                }
                continue;
            }
            int size = shape[d];
            switch (p) {
                case Point(int i) -> {
                    pos[d] = new int[] {checked(i, size, d)};
                    kept[d] = false;
                }
                case Pick(int[] picks) -> {
                    int[] q = new int[picks.length];
                    for (int j = 0; j < picks.length; j++) q[j] = checked(picks[j], size, d);
                    pos[d] = q;
                    kept[d] = true;
                }
                case Range r -> {
                    pos[d] = slice(r, size);
                    kept[d] = true;
                }
                case All a -> {
                    pos[d] = all(size);
                    kept[d] = true;
                }
                case Rest rest -> throw new AssertionError();
            }
            d++;
        }
        for (; d < shape.length; d++) {
            pos[d] = all(shape[d]);
            kept[d] = true;
        }
        return new Resolved(pos, kept);
    }

    private static int checked(int i, int size, int dim) {
        int j = i < 0 ? i + size : i;
        if (j < 0 || j >= size) throw new IndexOutOfBoundsException("index " + i + " is out of bounds for dimension " + dim + " with size " + size);
        return j;
    }

    private static int[] all(int size) {
        int[] a = new int[size];
        for (int i = 0; i < size; i++) a[i] = i;
        return a;
    }

    /** Python's slice.indices semantics. */
    static int[] slice(Range r, int size) {
        int step = r.step();
        int start, stop;
        if (step > 0) {
            start = r.start() == null ? 0 : clamp(r.start(), size, 0, size);
            stop = r.stop() == null ? size : clamp(r.stop(), size, 0, size);
        } else {
            start = r.start() == null ? size - 1 : clamp(r.start(), size, -1, size - 1);
            stop = r.stop() == null ? -1 : clamp(r.stop(), size, -1, size - 1);
        }
        List<Integer> out = new ArrayList<>();
        for (int i = start; step > 0 ? i < stop : i > stop; i += step) out.add(i);
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int clamp(int v, int size, int lo, int hi) {
        int x = v < 0 ? v + size : v;
        return Math.max(lo, Math.min(hi, x));
    }

    @Override
    public String toString() {
        return parts.toString();
    }
}
