package dev.jlens.viz;

import dev.jlens.patching.PatchKind;
import dev.jlens.patching.Patching.Axis;
import dev.jlens.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Heatmaps of a patching sweep as its {@link PatchKind} lays it out: per part of a stacked kind, one heatmap
 * per index of the layout's figure axes, its cells read from the result by the kind's axes (so a figure cannot
 * show an axis for another, even when two have the same size). Ids: {@code patching-KIND-heatmap} for a single
 * heatmap, else {@code patching-KIND[-PART][-LxHy]}.
 */
final class PatchingFigures {
    private PatchingFigures() {}

    static void add(Page.Builder p, PatchKind kind, Tensor t, List<String> tokens) {
        List<String> positions = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) positions.add(tokens.get(i) + "_" + i);
        String base = "patching-" + kind.id();
        p.group(base, "jlens-patching");
        p.subheading(kind.id() + "  " + Arrays.toString(t.shape()));
        // facets of one result share one color scale, as TransformerLens' imshow(facet_col=...) draws them
        double shared = 0;
        for (float v : t.toArray()) if (Float.isFinite(v)) shared = Math.max(shared, Math.abs(v));
        if (kind.parts().isEmpty()) {
            figures(p, kind, t, base, "Patching " + kind.id(), false, positions, shared);
        } else {
            for (int i = 0; i < kind.parts().size(); i++) {
                String part = kind.parts().get(i).label();
                figures(p, kind, t.get(i), base + "-" + part, "Patching " + kind.id() + ": " + part, true, positions, shared);
            }
        }
        p.endGroup();
    }

    private static void figures(Page.Builder p, PatchKind kind, Tensor t, String id, String title, boolean isPart, List<String> positions, double range) {
        PatchKind.Layout layout = kind.layout();
        Axes figures = new Axes(kind.axes(), layout.figures(), t), rows = new Axes(kind.axes(), layout.rows(), t),
                columns = new Axes(kind.axes(), layout.columns(), t);
        boolean single = figures.count() == 1;
        for (int f = 0; f < figures.count(); f++) {
            int[] index = new int[t.rank()];
            figures.set(index, f);
            float[][] values = new float[rows.count()][columns.count()];
            for (int r = 0; r < rows.count(); r++) {
                rows.set(index, r);
                for (int c = 0; c < columns.count(); c++) {
                    columns.set(index, c);
                    values[r][c] = t.item(index);
                }
            }
            String which = single ? "" : figures.label(f, positions);
            Heatmap.Builder h = Heatmap.builder(values)
                    .id(!single ? id + "-" + which : isPart ? id : id + "-heatmap")
                    .title(single ? title : title + ": " + which)
                    .xTitle(columns.title()).yTitle(rows.title()).xLabels(columns.labels(positions)).yLabels(rows.labels(positions)).range(range);
            if (rows.isLayerOnly() && columns.isHeadOnly()) h.cellNames((l, head) -> "L" + l + "H" + head);
            p.figure(h.build());
        }
    }

    /** Some of a result's axes, walked together in row-major order (the last fastest). */
    private static final class Axes {
        private final List<Axis> axes;
        private final int[] dims, sizes;

        Axes(List<Axis> all, List<Axis> these, Tensor t) {
            this.axes = these;
            this.dims = these.stream().mapToInt(all::indexOf).toArray();
            this.sizes = Arrays.stream(dims).map(t::shape).toArray();
        }

        int count() {
            return Arrays.stream(sizes).reduce(1, (a, b) -> a * b);
        }

        /** Sets these axes' entries of {@code index} to the {@code flat}-th combination. */
        void set(int[] index, int flat) {
            int[] at = unflatten(flat);
            for (int i = 0; i < dims.length; i++) index[dims[i]] = at[i];
        }

        private int[] unflatten(int flat) {
            int[] at = new int[dims.length];
            for (int i = dims.length - 1; i >= 0; i--) {
                at[i] = flat % sizes[i];
                flat /= sizes[i];
            }
            return at;
        }

        boolean isLayerOnly() {
            return axes.equals(List.of(Axis.LAYER));
        }

        boolean isHeadOnly() {
            return axes.size() == 1 && !axes.getFirst().isPosition() && axes.getFirst() != Axis.LAYER;
        }

        String title() {
            return axes.getLast().title();
        }

        List<String> labels(List<String> positions) {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < count(); i++) out.add(label(i, positions));
            return out;
        }

        /** A layer and a head as {@code L3H2}, a position as {@code token_7}, anything else as its number. */
        String label(int flat, List<String> positions) {
            int[] index = unflatten(flat);
            if (axes.size() == 2 && axes.getFirst() == Axis.LAYER && !axes.getLast().isPosition()) return "L" + index[0] + "H" + index[1];
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < axes.size(); i++) {
                if (i > 0) b.append(", ");
                b.append(axes.get(i).isPosition() ? positions.get(index[i]) : Integer.toString(index[i]));
            }
            return b.toString();
        }
    }
}
