package dev.jlens.viz;

import dev.jlens.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * A line chart of one or more series; hovering a point shows its label (e.g. the logit lens' {@code 3_mid})
 * and value, as the seed's {@code line(..., hover_name=labels)}.
 *
 * <pre>{@code
 * LineChart.builder().title("Logit Difference From Accumulate Residual Stream")
 *          .series("logit diff", xs, result.logitLens().toArray(), result.logitLensLabels()).build();
 * }</pre>
 */
public final class LineChart extends AbstractFigure implements Figure {
    /** One line: x and y of equal length, a hover label per point (null for none). */
    public record Series(String name, double[] x, float[] y, List<String> labels) {
        public Series {
            x = x.clone();
            y = y.clone();
            if (x.length != y.length) throw new IllegalArgumentException("series \"" + name + "\": " + x.length + " x values for " + y.length + " y values");
            if (labels != null) {
                labels = List.copyOf(labels);
                if (labels.size() != y.length) throw new IllegalArgumentException("series \"" + name + "\": " + labels.size() + " labels for " + y.length + " points");
            }
        }

        /** What hovering point i shows: its label (or x) and its value. */
        public String tooltip(int i) {
            String at = labels != null ? labels.get(i) : Values.coord(x[i]);
            return at + ": " + Values.format(y[i]);
        }
    }

    private final String xTitle, yTitle;
    private final List<Series> series;
    private final XyAxes axes;
    private final List<String> categories;

    private LineChart(Builder b) {
        super(b.id, b.title);
        if (b.series.isEmpty()) throw new IllegalArgumentException("a line chart needs at least one series");
        this.xTitle = b.xTitle;
        this.yTitle = b.yTitle;
        this.series = List.copyOf(b.series);
        size(b.width > 0 ? b.width : 720, b.height > 0 ? b.height : 380);
        double xMin = Double.POSITIVE_INFINITY, xMax = Double.NEGATIVE_INFINITY, yMin = Double.POSITIVE_INFINITY, yMax = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.x().length; i++) {
                if (!Float.isFinite(s.y()[i])) continue;
                xMin = Math.min(xMin, s.x()[i]);
                xMax = Math.max(xMax, s.x()[i]);
                yMin = Math.min(yMin, s.y()[i]);
                yMax = Math.max(yMax, s.y()[i]);
            }
        }
        if (xMin > xMax) xMin = xMax = yMin = yMax = 0;
        this.categories = b.categories;
        if (categories != null) {
            for (Series s : series) {
                for (double x : s.x()) {
                    if (x != Math.rint(x) || x < 0 || x >= categories.size()) {
                        throw new IllegalArgumentException("series \"" + s.name() + "\": x " + Values.coord(x) + " is not the index of one of the "
                                + categories.size() + " categories");
                    }
                }
            }
            this.axes = new XyAxes(width, height, title, xTitle, yTitle, categories, yMin, yMax);
        } else {
            this.axes = new XyAxes(width, height, title, xTitle, yTitle, xMin, xMax, yMin, yMax);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public List<Series> series() {
        return series;
    }

    @Override
    public LineChart withId(String newId) {
        Builder b = builder().id(newId).title(title).xTitle(xTitle).yTitle(yTitle).size(width, height);
        b.categories = categories;
        b.series.addAll(series);
        return b.build();
    }

    @Override
    public String toString() {
        return "LineChart[" + (title == null ? "" : title) + ", " + series.size() + " series]";
    }

    Drawing draw() {
        Drawing d = new Drawing(width, height);
        axes.draw(d, title, xTitle, yTitle);
        for (int s = 0; s < series.size(); s++) {
            Series ser = series.get(s);
            Rgb color = Rgb.SERIES[s % Rgb.SERIES.length];
            List<double[]> run = new ArrayList<>();
            for (int i = 0; i <= ser.y().length; i++) {
                if (i < ser.y().length && Float.isFinite(ser.y()[i])) {
                    run.add(new double[] {axes.px(ser.x()[i]), axes.py(ser.y()[i])});
                } else if (!run.isEmpty()) {
                    d.polyline(run.stream().mapToDouble(p -> p[0]).toArray(), run.stream().mapToDouble(p -> p[1]).toArray(), color, 2);
                    run.clear();
                }
            }
            for (int i = 0; i < ser.y().length; i++) {
                if (Float.isFinite(ser.y()[i])) d.circle(axes.px(ser.x()[i]), axes.py(ser.y()[i]), 3.2, color, Rgb.WHITE, ser.tooltip(i));
            }
        }
        if (series.size() > 1) legend(d);
        return d;
    }

    private void legend(Drawing d) {
        double x = axes.left + 10, y = axes.top + 16;
        for (int s = 0; s < series.size(); s++) {
            Rgb color = Rgb.SERIES[s % Rgb.SERIES.length];
            d.line(x, y - 4, x + 18, y - 4, color, 2);
            d.text(x + 24, y, series.get(s).name() == null ? "" : series.get(s).name(), XyAxes.TICK, Drawing.Anchor.START);
            y += 16;
        }
    }

    String spec() {
        Json j = new Json().begin().field("kind", "line").field("title", title).field("xTitle", xTitle).field("yTitle", yTitle)
                .field("width", width).field("height", height);
        axes.grid(j);
        j.key("series").beginArray();
        for (Series s : series) {
            j.begin().field("name", s.name()).doubles("x", s.x()).floats("y", s.y()).strings("labels", s.labels()).end();
        }
        j.endArray();
        j.strings("colors", java.util.Arrays.stream(Rgb.SERIES).map(Rgb::hex).toList());
        return j.end().toString();
    }

    public static final class Builder extends AxesBuilder<Builder> {
        private final List<Series> series = new ArrayList<>();
        private List<String> categories;

        private Builder() {
            super(100);
        }

        public Builder series(String name, double[] x, float[] y, List<String> labels) {
            series.add(new Series(name, x, y, labels));
            return this;
        }

        /** A series at x = 0, 1, 2, ... */
        public Builder series(String name, float[] y, List<String> labels) {
            double[] x = new double[y.length];
            for (int i = 0; i < x.length; i++) x[i] = i;
            return series(name, x, y, labels);
        }

        /** A series from a 1-d tensor at x = 0, 1, 2, ... */
        public Builder series(String name, Tensor y, List<String> labels) {
            return series(name, y.flatten().toArray(), labels);
        }

        /**
         * A categorical x axis labeled with these names (e.g. the logit lens' {@code embed}, {@code 0_attn_out}, ...):
         * a series' x values are then category indices, as {@link #series(String, float[], List)} gives them.
         */
        public Builder xCategories(List<String> names) {
            if (names.isEmpty()) throw new IllegalArgumentException("a categorical x axis needs at least one category");
            this.categories = List.copyOf(names);
            return this;
        }

        public LineChart build() {
            return new LineChart(this);
        }
    }
}
