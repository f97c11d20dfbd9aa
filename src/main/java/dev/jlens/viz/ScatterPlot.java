package dev.jlens.viz;

import java.util.List;

/**
 * A scatter plot, as the seed's {@code scatter(x, y, xaxis=..., yaxis=..., caxis=...)}: points with hover
 * labels, optionally colored by a third value in the diverging RdBu scale centered at 0.
 */
public final class ScatterPlot extends AbstractFigure implements Figure {
    private final String xTitle, yTitle, colorTitle;
    private final double[] x, y, color;
    private final List<String> labels;
    private final double colorRange;
    private final XyAxes axes;

    private ScatterPlot(Builder b) {
        super(b.id, b.title);
        if (b.x == null) throw new IllegalArgumentException("a scatter plot needs points");
        this.xTitle = b.xTitle;
        this.yTitle = b.yTitle;
        this.colorTitle = b.colorTitle;
        this.x = b.x.clone();
        this.y = b.y.clone();
        this.color = b.color == null ? null : b.color.clone();
        this.labels = b.labels == null ? null : List.copyOf(b.labels);
        if (labels != null && labels.size() != x.length) throw new IllegalArgumentException(labels.size() + " labels for " + x.length + " points");
        if (color != null && color.length != x.length) throw new IllegalArgumentException(color.length + " color values for " + x.length + " points");
        size(b.width > 0 ? b.width : 640, b.height > 0 ? b.height : 480);
        double m = 0;
        if (color != null) for (double c : color) if (Double.isFinite(c)) m = Math.max(m, Math.abs(c));
        this.colorRange = m;
        double xMin = Double.POSITIVE_INFINITY, xMax = Double.NEGATIVE_INFINITY, yMin = Double.POSITIVE_INFINITY, yMax = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < x.length; i++) {
            if (!Double.isFinite(x[i]) || !Double.isFinite(y[i])) continue;
            xMin = Math.min(xMin, x[i]);
            xMax = Math.max(xMax, x[i]);
            yMin = Math.min(yMin, y[i]);
            yMax = Math.max(yMax, y[i]);
        }
        if (xMin > xMax) xMin = xMax = yMin = yMax = 0;
        double padX = (xMax - xMin) * 0.05, padY = (yMax - yMin) * 0.05;   // points off the frame
        this.axes = new XyAxes(width - (color != null ? 90 : 0), height, title, xTitle, yTitle, xMin - padX, xMax + padX, yMin - padY, yMax + padY);
    }

    public static Builder builder() {
        return new Builder();
    }

    public int points() {
        return x.length;
    }

    /** What hovering point i shows. */
    public String tooltip(int i) {
        StringBuilder s = new StringBuilder();
        if (labels != null) s.append(labels.get(i)).append(": ");
        s.append("(").append(Values.format(x[i])).append(", ").append(Values.format(y[i])).append(")");
        if (color != null) s.append(", ").append(colorTitle == null || colorTitle.isEmpty() ? "color" : colorTitle).append(" ").append(Values.format(color[i]));
        return s.toString();
    }

    @Override
    public ScatterPlot withId(String newId) {
        Builder b = builder().id(newId).title(title).xTitle(xTitle).yTitle(yTitle).points(x, y).size(width, height);
        if (labels != null) b.labels(labels);
        if (color != null) b.color(color, colorTitle);
        return b.build();
    }

    @Override
    public String toString() {
        return "ScatterPlot[" + (title == null ? "" : title) + ", " + x.length + " points]";
    }

    Drawing draw() {
        Drawing d = new Drawing(width, height);
        axes.draw(d, title, xTitle, yTitle);
        for (int i = 0; i < x.length; i++) {
            if (!Double.isFinite(x[i]) || !Double.isFinite(y[i])) continue;
            Rgb fill = color == null ? Rgb.SERIES[0] : ColorScale.RDBU.diverging(color[i], colorRange);
            d.circle(axes.px(x[i]), axes.py(y[i]), 4.5, fill, Rgb.AXIS, tooltip(i));
        }
        if (color != null) {
            double bx = axes.left + axes.plotW + 36, top = axes.top, h = Math.min(axes.plotH, 260), w = 14;
            for (int i = 0; i < 64; i++) d.rect(bx, top + h * i / 64, w, h / 64 + 0.3, ColorScale.RDBU.at(1 - (i + 0.5) / 64));
            d.frame(bx, top, w, h, Rgb.AXIS, 0.5);
            double m = colorRange > 0 ? colorRange : 1;
            double[] at = {m, 0, -m};
            for (int i = 0; i < 3; i++) d.text(bx + w + 5, top + h * i / 2.0 + 4, Values.format(at[i]), XyAxes.TICK, Drawing.Anchor.START);
            if (colorTitle != null) d.text(bx, top - 8, colorTitle, XyAxes.TICK, Drawing.Anchor.START);
        }
        return d;
    }

    String spec() {
        Json j = new Json().begin().field("kind", "scatter").field("title", title).field("xTitle", xTitle).field("yTitle", yTitle)
                .field("colorTitle", colorTitle).field("width", width).field("height", height);
        axes.grid(j);
        j.doubles("x", x).doubles("y", y).doubles("color", color).field("colorRange", colorRange).strings("labels", labels)
                .strings("colors", ColorScale.RDBU.hexStops()).field("pointColor", Rgb.SERIES[0].hex());
        return j.end().toString();
    }

    public static final class Builder extends AxesBuilder<Builder> {
        private String colorTitle;
        private double[] x, y, color;
        private List<String> labels;

        private Builder() {
            super(100);
        }

        public Builder points(double[] x, double[] y) {
            if (x.length != y.length) throw new IllegalArgumentException(x.length + " x values for " + y.length + " y values");
            this.x = x;
            this.y = y;
            return this;
        }

        public Builder points(float[] x, float[] y) {
            double[] dx = new double[x.length], dy = new double[y.length];
            for (int i = 0; i < x.length; i++) dx[i] = Double.parseDouble(Float.toString(x[i]));
            for (int i = 0; i < y.length; i++) dy[i] = Double.parseDouble(Float.toString(y[i]));
            return points(dx, dy);
        }

        public Builder labels(List<String> labels) {
            this.labels = labels;
            return this;
        }

        /** Colors the points by these values (RdBu, centered at 0); {@code title} names them in the hover text. */
        public Builder color(double[] values, String title) {
            this.color = values;
            this.colorTitle = title;
            return this;
        }

        public ScatterPlot build() {
            return new ScatterPlot(this);
        }
    }
}
