package dev.jlens.viz;

import dev.jlens.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * A heatmap in the diverging red-white-blue scale (plotly's RdBu), centered at 0 over [-m, m] with m the
 * largest |value| unless given: as the seed's {@code imshow(..., color_continuous_midpoint=0)}. Row 0 is at the
 * top; hovering a cell shows its name and value.
 *
 * <pre>{@code
 * Heatmap.builder(result.perHead()).title("Logit Difference From Each Head").xTitle("Head").yTitle("Layer")
 *        .cellNames((layer, head) -> "L" + layer + "H" + head).build();
 * }</pre>
 */
public final class Heatmap extends AbstractFigure implements Figure {
    private static final double TITLE = 15, AXIS_TITLE = 13, TICK = 11;
    /**
     * The largest plot a heatmap sized from its data gets, so that with its labels and color bar it fits a report's
     * page (1140 px); more columns or rows than fit at a readable size get thinner cells, thinned labels, and zoom
     * in the browser.
     */
    static final double MAX_PLOT_W = 860, MAX_PLOT_H = 640;
    /** Cells at least this wide show every column's label turned; at least this high, every row's. */
    private static final double LABELED_W = 18, LABELED_H = 12;

    private final String xTitle, yTitle, colorTitle;
    private final float[][] values;
    private final List<String> xLabels, yLabels;
    private final String[][] cellNames;
    private final double range;
    private final Layout layout;

    private Heatmap(Builder b) {
        super(b.id, b.title);
        this.xTitle = b.xTitle;
        this.yTitle = b.yTitle;
        this.colorTitle = b.colorTitle;
        this.values = Figures.copy(b.values);
        int rows = values.length, cols = values[0].length;
        this.xLabels = b.xLabels != null ? List.copyOf(b.xLabels) : indexLabels(cols);
        this.yLabels = b.yLabels != null ? List.copyOf(b.yLabels) : indexLabels(rows);
        if (xLabels.size() != cols) throw new IllegalArgumentException(xLabels.size() + " x labels for " + cols + " columns");
        if (yLabels.size() != rows) throw new IllegalArgumentException(yLabels.size() + " y labels for " + rows + " rows");
        cellNames = new String[rows][cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                cellNames[r][c] = b.cellNames != null ? Objects.requireNonNull(b.cellNames.apply(r, c), "cell name")
                        : axisPart(yTitle, yLabels.get(r)) + ", " + axisPart(xTitle, xLabels.get(c));
            }
        }
        double m = b.range;
        if (Double.isNaN(m)) {
            m = 0;
            for (float[] row : values) for (float v : row) if (Float.isFinite(v)) m = Math.max(m, Math.abs(v));
        }
        this.range = m;
        this.layout = new Layout(b.width, b.height);
        size(layout.width, layout.height);
    }

    public static Builder builder(float[][] values) {
        return new Builder(values);
    }

    /** From a [rows, cols] tensor. */
    public static Builder builder(Tensor values) {
        if (values.rank() != 2) throw new IllegalArgumentException("a heatmap needs a [rows, cols] tensor, got shape " + java.util.Arrays.toString(values.shape()));
        return new Builder(values.toMatrix());
    }

    public int rows() {
        return values.length;
    }

    public int columns() {
        return values[0].length;
    }

    public float value(int row, int col) {
        return values[row][col];
    }

    public List<String> xLabels() {
        return xLabels;
    }

    public List<String> yLabels() {
        return yLabels;
    }

    /** The color scale's half range m: colors run from -m (red) through 0 (white) to m (blue). */
    public double range() {
        return range;
    }

    /** What hovering cell (row, col) shows, e.g. {@code "L3H2: 0.1234"} or {@code "Layer 3, Position tok_7: 0.1234"}. */
    public String tooltip(int row, int col) {
        return cellName(row, col) + ": " + Values.format(values[row][col]);
    }

    /** The name of cell (row, col): given by {@link Builder#cellNames}, else {@code "<yTitle> <yLabel>, <xTitle> <xLabel>"}. */
    public String cellName(int row, int col) {
        return cellNames[row][col];
    }

    private static String axisPart(String axis, String label) {
        String shown = Html.visibleToken(label);
        return axis == null || axis.isEmpty() ? shown : axis + " " + shown;
    }

    @Override
    public Heatmap withId(String newId) {
        return new Builder(values).id(newId).title(title).xTitle(xTitle).yTitle(yTitle).colorTitle(colorTitle).xLabels(xLabels).yLabels(yLabels)
                .cellNames((r, c) -> cellNames[r][c]).range(range).size(layout.width, layout.height).build();
    }

    @Override
    public String toString() {
        return "Heatmap[" + (title == null ? "" : title) + ", " + rows() + "x" + columns() + "]";
    }

    private static List<String> indexLabels(int n) {
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(Integer.toString(i));
        return out;
    }

    /** Where everything goes; shared by the SVG/PNG drawing and the browser's chart (grid in pixels). */
    private final class Layout {
        final int width, height;
        final double left, top, cellW, cellH, plotW, plotH;
        final boolean rotateX, zoomX, zoomY;
        final int xStep, yStep;
        /** Pixels between the middles of two labeled columns, at least. */
        final double xLabelGap;
        final double xNameGap, yNameGap;
        final List<String> shownX, shownY;
        final double barX, barW, barTop, barH;

        Layout(int wantW, int wantH) {
            int rows = values.length, cols = values[0].length;
            shownX = xLabels.stream().map(Html::visibleToken).map(s -> Drawing.fit(s, TICK, 150)).toList();
            shownY = yLabels.stream().map(Html::visibleToken).map(s -> Drawing.fit(s, TICK, 150)).toList();
            double maxX = shownX.stream().mapToDouble(s -> Drawing.textWidth(s, TICK)).max().orElse(0);
            double maxY = shownY.stream().mapToDouble(s -> Drawing.textWidth(s, TICK)).max().orElse(0);
            // size from the data: every label shown while that fits, else cells shrink to fit the page
            double cw = cols * LABELED_W <= MAX_PLOT_W ? clamp(600.0 / cols, LABELED_W, 64) : MAX_PLOT_W / cols;
            double ch = rows * LABELED_H <= MAX_PLOT_H ? clamp(380.0 / rows, LABELED_H, 44) : MAX_PLOT_H / rows;
            rotateX = maxX > cw - 4;
            double leftForY = 12 + (blank(yTitle) ? 0 : AXIS_TITLE + 10) + maxY + 8;
            // a rotated first column label reaches down and to the left of its tick
            left = rotateX ? Math.max(leftForY, maxX * Math.sqrt(0.5) + 10) : leftForY;
            top = blank(title) ? 14 : 40;
            double xLabelH = rotateX ? maxX * Math.sqrt(0.5) + TICK : TICK + 6;
            xNameGap = 8 + xLabelH + 10;
            yNameGap = maxY + 8 + 12;
            double bottom = 8 + xLabelH + (blank(xTitle) ? 0 : AXIS_TITLE + 12) + 10;
            double right = 20 + 14 + 8 + Drawing.textWidth("-0.0000", TICK) + 16;
            double titleW = blank(title) ? 0 : Drawing.textWidth(title, TITLE) + 20;
            if (wantW > 0) cw = Math.max(0.01, (wantW - left - right) / cols);
            if (wantH > 0) ch = Math.max(0.01, (wantH - top - bottom) / rows);
            cellW = cw;
            cellH = ch;
            plotW = cw * cols;
            plotH = ch * rows;
            width = wantW > 0 ? wantW : (int) Math.ceil(Math.max(left + plotW + right, titleW));
            height = wantH > 0 ? wantH : (int) Math.ceil(top + plotH + bottom);
            // turned labels need about 1.5 font sizes between them, level ones their width and a gap
            xLabelGap = rotateX ? TICK * 1.5 : maxX + 6;
            xStep = Math.max(1, (int) Math.ceil(xLabelGap / cw));
            yStep = Math.max(1, (int) Math.ceil(TICK * 1.1 / ch));
            zoomX = xStep > 1;
            zoomY = yStep > 1;
            barX = left + plotW + 20;
            barW = 14;
            barTop = top;
            barH = Math.max(60, Math.min(plotH, 300));
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isEmpty();
    }

    private static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    Drawing draw() {
        Layout l = layout;
        Drawing d = new Drawing(l.width, l.height);
        if (!blank(title)) d.text(l.width / 2.0, 26, title, TITLE, Drawing.Anchor.MIDDLE, 0, Rgb.TEXT, true);
        int rows = values.length, cols = values[0].length;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                d.rect(l.left + c * l.cellW, l.top + r * l.cellH, l.cellW + 0.02, l.cellH + 0.02,
                        ColorScale.RDBU.diverging(values[r][c], range), tooltip(r, c));
            }
        }
        d.frame(l.left, l.top, l.plotW, l.plotH, Rgb.AXIS, 1);
        for (int r = 0; r < rows; r += l.yStep) {
            double y = l.top + (r + 0.5) * l.cellH;
            d.line(l.left - 4, y, l.left, y, Rgb.AXIS, 1);
            d.text(l.left - 7, y + TICK * 0.35, l.shownY.get(r), TICK, Drawing.Anchor.END);
        }
        double xBase = l.top + l.plotH;
        for (int c = 0; c < cols; c += l.xStep) {
            double x = l.left + (c + 0.5) * l.cellW;
            d.line(x, xBase, x, xBase + 4, Rgb.AXIS, 1);
            if (l.rotateX) d.text(x + TICK * 0.3, xBase + 9, l.shownX.get(c), TICK, Drawing.Anchor.END, -45, Rgb.TEXT, false);
            else d.text(x, xBase + 8 + TICK, l.shownX.get(c), TICK, Drawing.Anchor.MIDDLE);
        }
        if (!blank(xTitle)) d.text(l.left + l.plotW / 2, l.height - 12, xTitle, AXIS_TITLE, Drawing.Anchor.MIDDLE);
        if (!blank(yTitle)) d.text(12 + AXIS_TITLE * 0.8, l.top + l.plotH / 2, yTitle, AXIS_TITLE, Drawing.Anchor.MIDDLE, -90, Rgb.TEXT, false);
        drawColorbar(d, l);
        return d;
    }

    /** The color bar's ticks, top (the maximum) first: -m, -m/2, 0, m/2, m, as plotly marks a symmetric scale. */
    private double[] colorbarTicks() {
        double m = range > 0 ? range : 1;
        return new double[] {m, m / 2, 0, -m / 2, -m};
    }

    private void drawColorbar(Drawing d, Layout l) {
        double x = l.barX, w = l.barW, top = l.barTop, h = l.barH;
        int steps = 64;
        for (int i = 0; i < steps; i++) {
            double t = 1 - (i + 0.5) / steps; // top is the maximum
            d.rect(x, top + h * i / steps, w, h / steps + 0.3, ColorScale.RDBU.at(t));
        }
        d.frame(x, top, w, h, Rgb.AXIS, 0.5);
        double[] at = colorbarTicks();
        for (int i = 0; i < at.length; i++) {
            double y = top + h * i / 4.0;
            d.line(x + w, y, x + w + 3, y, Rgb.AXIS, 1);
            d.text(x + w + 6, y + TICK * 0.35, Values.format(at[i]), TICK, Drawing.Anchor.START);
        }
        if (!blank(colorTitle)) d.text(x, top - 8, colorTitle, TICK, Drawing.Anchor.START);
    }

    String spec() {
        Layout l = layout;
        Json j = new Json().begin().field("kind", "heatmap").field("title", title).field("xTitle", xTitle).field("yTitle", yTitle)
                .field("colorTitle", colorTitle).field("width", l.width).field("height", l.height)
                .strings("xLabels", xLabels).strings("yLabels", yLabels).strings("xShown", l.shownX).strings("yShown", l.shownY)
                .matrix("values", values).field("range", range).stringMatrix("cellNames", cellNames)
                .strings("colors", ColorScale.RDBU.hexStops())
                .key("grid").begin().field("left", l.left).field("top", l.top).field("width", l.plotW).field("height", l.plotH).end()
                .field("rotateX", l.rotateX).field("xNameGap", l.xNameGap).field("yNameGap", l.yNameGap)
                .field("xStep", l.xStep).field("xLabelGap", l.xLabelGap).field("yStep", l.yStep).field("zoomX", l.zoomX).field("zoomY", l.zoomY);
        double[] ticks = colorbarTicks();
        j.key("colorbar").begin().field("x", l.barX).field("y", l.barTop).field("width", l.barW).field("height", l.barH)
                .strings("labels", java.util.Arrays.stream(ticks).mapToObj(Values::format).toList()).end();
        return j.end().toString();
    }

    /** Builds a {@link Heatmap}; values are copied. */
    public static final class Builder extends AxesBuilder<Builder> {
        private final float[][] values;
        private String colorTitle;
        private List<String> xLabels, yLabels;
        private BiFunction<Integer, Integer, String> cellNames;
        private double range = Double.NaN;

        private Builder(float[][] values) {
            super(50);
            if (values.length == 0 || values[0].length == 0) throw new IllegalArgumentException("a heatmap needs at least one row and one column");
            for (float[] row : values) {
                if (row.length != values[0].length) throw new IllegalArgumentException("heatmap rows differ in length");
            }
            this.values = values;
        }

        /** A caption above the color bar. */
        public Builder colorTitle(String t) {
            this.colorTitle = t;
            return this;
        }

        /** Column labels (e.g. {@code tok_7} or the seed's {@code {tok}_{i}}); default 0, 1, ... */
        public Builder xLabels(List<String> labels) {
            this.xLabels = List.copyOf(labels);
            return this;
        }

        public Builder yLabels(List<String> labels) {
            this.yLabels = List.copyOf(labels);
            return this;
        }

        /** The name hovering a cell shows, by (row, column), e.g. {@code (l, h) -> "L" + l + "H" + h}. */
        public Builder cellNames(BiFunction<Integer, Integer, String> names) {
            this.cellNames = names;
            return this;
        }

        /** The color scale's half range (default: the largest |value|). */
        public Builder range(double m) {
            if (!(m >= 0) || Double.isInfinite(m)) throw new IllegalArgumentException("range must be finite and >= 0, got " + m);
            this.range = m;
            return this;
        }

        public Heatmap build() {
            return new Heatmap(this);
        }
    }
}
