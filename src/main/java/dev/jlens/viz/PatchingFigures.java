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
 *
 * <p>With an attribution-patching estimate of the same kind, each attribution heatmap ({@code attribution-KIND...},
 * the same layout and labels) stands beside its activation-patching heatmap on one color scale, as TransformerLens'
 * attribution patching demo facets the two, followed by their Pearson correlation ({@code correlation-KIND}) and a
 * scatter plot of one against the other ({@code scatter-KIND}).
 */
final class PatchingFigures {
    /** A pair of heatmaps side by side fits a report's page (1140 px) when each is at most this wide. */
    static final int PAIRED_WIDTH = 560;
    /** More points than this make a scatter plot too heavy for a page; the correlation is still given. */
    static final int MAX_SCATTER_POINTS = 5000;

    private PatchingFigures() {}

    static void add(Page.Builder p, PatchKind kind, Tensor t, List<String> tokens) {
        add(p, kind, t, null, tokens);
    }

    /**
     * The group {@code patching-KIND} of a kind's activation patching result {@code patched}, its attribution patching
     * estimate {@code attributed}, or both side by side (either may be null, not both).
     */
    static void add(Page.Builder p, PatchKind kind, Tensor patched, Tensor attributed, List<String> tokens) {
        if (patched == null && attributed == null) throw new IllegalArgumentException(kind.id() + ": nothing to show");
        List<String> positions = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) positions.add(tokens.get(i) + "_" + i);
        Tensor any = patched != null ? patched : attributed;
        p.group("patching-" + kind.id(), "jlens-patching");
        p.subheading(kind.id() + "  " + Arrays.toString(any.shape()) + (patched == null ? "  (attribution patching only)"
                : attributed == null ? "" : "  (activation and attribution patching)"));
        // facets of one result share one color scale, as TransformerLens' imshow(facet_col=...) draws them; a pair too
        double shared = Math.max(maxAbs(patched), maxAbs(attributed));
        List<Named> act = patched == null ? List.of() : heatmaps(kind, patched, "patching-" + kind.id(), "Patching " + kind.id(), positions, shared);
        List<Named> attr = attributed == null ? List.of() : heatmaps(kind, attributed, "attribution-" + kind.id(), "Attribution " + kind.id(), positions, shared);
        if (act.isEmpty() || attr.isEmpty()) {
            for (Named h : act.isEmpty() ? attr : act) p.figure(h.builder().build());
        } else {
            for (int i = 0; i < act.size(); i++) {
                p.group(null, "jlens-pair");
                p.figure(halfWidth(act.get(i).builder()));
                p.figure(halfWidth(attr.get(i).builder()));
                p.endGroup();
            }
            comparison(p, kind, act, attr);
        }
        p.endGroup();
    }

    /** The correlation of the two estimates, overall and per part, and the scatter plot of one against the other. */
    private static void comparison(Page.Builder p, PatchKind kind, List<Named> act, List<Named> attr) {
        Comparison all = Comparison.of(act, attr, null);
        StringBuilder text = new StringBuilder("Correlation of attribution with activation patching: r = ")
                .append(r(all.r())).append(" (Pearson, over ").append(all.x().length).append(" values)");
        if (!kind.parts().isEmpty()) {
            text.append("; per part:");
            for (PatchKind.Part part : kind.parts()) {
                text.append(' ').append(part.label()).append(" r = ").append(r(Comparison.of(act, attr, part.label()).r()));
            }
        }
        p.paragraph("correlation-" + kind.id(), text.toString());
        if (all.x().length <= MAX_SCATTER_POINTS) {
            p.figure(ScatterPlot.builder().id("scatter-" + kind.id()).title("Attribution vs activation patching: " + kind.id())
                    .xTitle("Activation patching").yTitle("Attribution patching").points(all.x(), all.y()).labels(all.labels()).build());
        } else {
            p.paragraph("No scatter plot: " + all.x().length + " values are more than a page shows well (" + MAX_SCATTER_POINTS + ").");
        }
    }

    /** The values of paired heatmaps (of one part when {@code part} is given) as points, and their correlation. */
    record Comparison(double[] x, double[] y, List<String> labels, double r) {
        static Comparison of(List<Named> act, List<Named> attr, String part) {
            List<double[]> points = new ArrayList<>();
            List<String> labels = new ArrayList<>();
            for (int i = 0; i < act.size(); i++) {
                if (part != null && !part.equals(act.get(i).part())) continue;
                Heatmap a = act.get(i).built(), b = attr.get(i).built();
                for (int r = 0; r < a.rows(); r++) {
                    for (int c = 0; c < a.columns(); c++) {
                        points.add(new double[] {a.value(r, c), b.value(r, c)});
                        labels.add(act.get(i).name().isEmpty() ? a.cellName(r, c) : act.get(i).name() + ": " + a.cellName(r, c));
                    }
                }
            }
            double[] x = points.stream().mapToDouble(q -> q[0]).toArray(), y = points.stream().mapToDouble(q -> q[1]).toArray();
            return new Comparison(x, y, labels, Correlation.pearson(x, y));
        }
    }

    /** r as the page prints it: undefined where one side is constant (e.g. all zero). */
    static String r(double r) {
        return Double.isNaN(r) ? "undefined (constant values)" : Values.format(r);
    }

    private static Heatmap halfWidth(Heatmap.Builder h) {
        Heatmap natural = h.build();
        return natural.width() <= PAIRED_WIDTH ? natural : h.size(PAIRED_WIDTH, natural.height()).build();
    }

    private static double maxAbs(Tensor t) {
        double m = 0;
        if (t != null) for (float v : t.toArray()) if (Float.isFinite(v)) m = Math.max(m, Math.abs(v));
        return m;
    }

    /**
     * One heatmap of a result: its builder, the part of a stacked kind it shows (null otherwise) and its name within
     * the result (the part and the figure axes' index, empty for a single heatmap).
     */
    record Named(Heatmap.Builder builder, String part, String name) {
        Heatmap built() {
            return builder.build();
        }
    }

    /** The heatmaps of one result, in the kind's layout; ids start with {@code base}, titles with {@code title}. */
    private static List<Named> heatmaps(PatchKind kind, Tensor t, String base, String title, List<String> positions, double range) {
        List<Named> out = new ArrayList<>();
        if (kind.parts().isEmpty()) {
            figures(out, kind, t, base, title, null, positions, range);
        } else {
            for (int i = 0; i < kind.parts().size(); i++) {
                String part = kind.parts().get(i).label();
                figures(out, kind, t.get(i), base + "-" + part, title + ": " + part, part, positions, range);
            }
        }
        return out;
    }

    private static void figures(List<Named> out, PatchKind kind, Tensor t, String id, String title, String part, List<String> positions, double range) {
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
                    .id(!single ? id + "-" + which : part != null ? id : id + "-heatmap")
                    .title(single ? title : title + ": " + which)
                    .xTitle(columns.title()).yTitle(rows.title()).xLabels(columns.labels(positions)).yLabels(rows.labels(positions)).range(range);
            if (rows.isLayerOnly() && columns.isHeadOnly()) h.cellNames((l, head) -> "L" + l + "H" + head);
            String name = part == null ? which : which.isEmpty() ? part : part + " " + which;
            out.add(new Named(h, part, name));
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
