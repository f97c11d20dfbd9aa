package dev.jlens.viz;

/** The frame, grid and ticks of a line or scatter chart, and the mapping from data to pixels. */
final class XyAxes {
    static final double TITLE = 15, AXIS_TITLE = 13, TICK = 11;

    final int width, height;
    final double left, top, plotW, plotH;
    final Ticks x, y;
    /** The x axis' categories (null: a numeric x axis); point i of a series sits in the middle of category i. */
    final java.util.List<String> categories;
    /** Categorical labels turned 45 degrees (they would not fit side by side), and shown every {@code labelStep}-th. */
    final boolean rotate;
    final int labelStep;

    XyAxes(int width, int height, String title, String xTitle, String yTitle, double xMin, double xMax, double yMin, double yMax) {
        this(width, height, title, xTitle, yTitle, null, xMin, xMax, yMin, yMax);
    }

    /** Axes with a categorical x axis: one slot per category, labeled with it. */
    XyAxes(int width, int height, String title, String xTitle, String yTitle, java.util.List<String> categories, double yMin, double yMax) {
        this(width, height, title, xTitle, yTitle, java.util.List.copyOf(categories), 0, Math.max(1, categories.size() - 1), yMin, yMax);
    }

    private XyAxes(int width, int height, String title, String xTitle, String yTitle, java.util.List<String> categories,
                   double xMin, double xMax, double yMin, double yMax) {
        this.width = width;
        this.height = height;
        this.categories = categories;
        this.x = Ticks.of(xMin, xMax, 8);
        this.y = Ticks.of(yMin, yMax, 6);
        double yTickW = 0;
        for (int i = 0; i < y.count(); i++) yTickW = Math.max(yTickW, Drawing.textWidth(y.label(i), TICK));
        double left = 14 + (blank(yTitle) ? 0 : AXIS_TITLE + 10) + yTickW + 8;
        this.top = blank(title) ? 16 : 42;
        double xLabelsH = TICK + 8;
        if (categories != null && !categories.isEmpty()) {
            double widest = categories.stream().mapToDouble(c -> Drawing.textWidth(c, TICK)).max().orElse(0);
            double slot = (width - left - 24) / categories.size();
            rotate = widest > slot - 6;
            // turned labels need about 1.5 font sizes between them, level ones their width and a gap
            labelStep = Math.max(1, (int) Math.ceil((rotate ? TICK * 1.5 : widest + 6) / slot));
            if (rotate) {
                xLabelsH = widest * Math.sqrt(0.5) + TICK;
                // the first label reaches down and to the left of its slot's middle
                left = Math.max(left, widest * Math.sqrt(0.5) + 8 - slot / 2);
            }
        } else {
            rotate = false;
            labelStep = 1;
        }
        this.left = left;
        double bottom = 8 + xLabelsH + (blank(xTitle) ? 0 : AXIS_TITLE + 12) + 8;
        this.plotW = Math.max(20, width - left - 24);
        this.plotH = Math.max(20, height - top - bottom);
    }

    double px(double v) {
        if (categories != null) return left + (v + 0.5) * plotW / Math.max(1, categories.size());
        return left + (v - x.min()) / (x.max() - x.min()) * plotW;
    }

    double py(double v) {
        return top + plotH - (v - y.min()) / (y.max() - y.min()) * plotH;
    }

    void draw(Drawing d, String title, String xTitle, String yTitle) {
        if (!blank(title)) d.text(width / 2.0, 27, title, TITLE, Drawing.Anchor.MIDDLE, 0, Rgb.TEXT, true);
        d.rect(left, top, plotW, plotH, new Rgb(0xfa, 0xfa, 0xfc));
        for (int i = 0; i < y.count(); i++) {
            double py = py(y.value(i));
            d.line(left, py, left + plotW, py, Math.abs(y.value(i)) < y.step() * 1e-6 ? new Rgb(0xb0, 0xb0, 0xb0) : Rgb.GRID, 1);
            d.text(left - 7, py + TICK * 0.35, y.label(i), TICK, Drawing.Anchor.END);
        }
        if (categories != null) {
            for (int i = 0; i < categories.size(); i++) {
                double px = px(i);
                d.line(px, top, px, top + plotH, Rgb.GRID, 1);
                d.line(px, top + plotH, px, top + plotH + 4, Rgb.AXIS, 1);
                if (i % labelStep != 0) continue;
                if (rotate) d.text(px + TICK * 0.3, top + plotH + 9, categories.get(i), TICK, Drawing.Anchor.END, -45, Rgb.TEXT, false);
                else d.text(px, top + plotH + 8 + TICK, categories.get(i), TICK, Drawing.Anchor.MIDDLE);
            }
        } else {
            for (int i = 0; i < x.count(); i++) {
                double px = px(x.value(i));
                d.line(px, top, px, top + plotH, Rgb.GRID, 1);
                d.line(px, top + plotH, px, top + plotH + 4, Rgb.AXIS, 1);
                d.text(px, top + plotH + 8 + TICK, x.label(i), TICK, Drawing.Anchor.MIDDLE);
            }
        }
        d.frame(left, top, plotW, plotH, Rgb.AXIS, 1);
        if (!blank(xTitle)) d.text(left + plotW / 2, height - 12, xTitle, AXIS_TITLE, Drawing.Anchor.MIDDLE);
        if (!blank(yTitle)) d.text(14 + AXIS_TITLE * 0.8, top + plotH / 2, yTitle, AXIS_TITLE, Drawing.Anchor.MIDDLE, -90, Rgb.TEXT, false);
    }

    void grid(Json j) {
        j.key("grid").begin().field("left", left).field("top", top).field("width", plotW).field("height", plotH).end();
        if (categories != null) {
            j.key("xAxis").begin().strings("categories", categories).field("rotate", rotate).field("labelStep", labelStep)
                    .field("nameGap", height - top - plotH - 12 - AXIS_TITLE * 0.35).end();
        } else {
            j.key("xAxis").begin().field("min", x.min()).field("max", x.max()).field("interval", x.step()).end();
        }
        j.key("yAxis").begin().field("min", y.min()).field("max", y.max()).field("interval", y.step()).end();
    }

    static boolean blank(String s) {
        return s == null || s.isEmpty();
    }
}
