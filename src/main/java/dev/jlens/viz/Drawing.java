package dev.jlens.viz;

import java.util.ArrayList;
import java.util.List;

/**
 * The static picture of a figure: rectangles, lines, circles and text in pixel coordinates, origin top
 * left. {@link SvgWriter} and {@link PngWriter} both draw this one model, so the SVG and the PNG of a figure
 * agree. Text is placed by its baseline; layout measures text with {@link #textWidth}, an estimate that does
 * not depend on the fonts of the machine, so the SVG is the same everywhere.
 */
final class Drawing {
    enum Anchor { START, MIDDLE, END }

    sealed interface Shape permits Rect, Line, Polyline, Circle, Text {}

    /** @param tooltip shown on hover in SVG (a {@code <title>}); null for none */
    record Rect(double x, double y, double w, double h, Rgb fill, Rgb stroke, double strokeWidth, String tooltip) implements Shape {}

    record Line(double x1, double y1, double x2, double y2, Rgb stroke, double width) implements Shape {}

    record Polyline(double[] xs, double[] ys, Rgb stroke, double width) implements Shape {}

    record Circle(double cx, double cy, double r, Rgb fill, Rgb stroke, String tooltip) implements Shape {}

    /** @param rotate degrees clockwise about (x, y) */
    record Text(double x, double y, String text, double size, Anchor anchor, double rotate, Rgb color, boolean bold) implements Shape {}

    static final String FONT_FAMILY = "DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif";

    final int width, height;
    final List<Shape> shapes = new ArrayList<>();

    Drawing(int width, int height) {
        this.width = width;
        this.height = height;
    }

    Drawing rect(double x, double y, double w, double h, Rgb fill) {
        shapes.add(new Rect(x, y, w, h, fill, null, 0, null));
        return this;
    }

    Drawing rect(double x, double y, double w, double h, Rgb fill, String tooltip) {
        shapes.add(new Rect(x, y, w, h, fill, null, 0, tooltip));
        return this;
    }

    Drawing frame(double x, double y, double w, double h, Rgb stroke, double width) {
        shapes.add(new Rect(x, y, w, h, null, stroke, width, null));
        return this;
    }

    Drawing line(double x1, double y1, double x2, double y2, Rgb stroke, double width) {
        shapes.add(new Line(x1, y1, x2, y2, stroke, width));
        return this;
    }

    Drawing polyline(double[] xs, double[] ys, Rgb stroke, double width) {
        shapes.add(new Polyline(xs.clone(), ys.clone(), stroke, width));
        return this;
    }

    Drawing circle(double cx, double cy, double r, Rgb fill, Rgb stroke, String tooltip) {
        shapes.add(new Circle(cx, cy, r, fill, stroke, tooltip));
        return this;
    }

    Drawing text(double x, double y, String text, double size, Anchor anchor) {
        return text(x, y, text, size, anchor, 0, Rgb.TEXT, false);
    }

    Drawing text(double x, double y, String text, double size, Anchor anchor, double rotate, Rgb color, boolean bold) {
        shapes.add(new Text(x, y, text, size, anchor, rotate, color, bold));
        return this;
    }

    /** Estimated advance of a label (0.6 em per character: wide enough for DejaVu Sans and Liberation Sans). */
    static double textWidth(String s, double size) {
        return s.codePointCount(0, s.length()) * 0.6 * size;
    }

    /** A label shortened with an ellipsis to fit {@code max} pixels. */
    static String fit(String s, double size, double max) {
        int n = s.codePointCount(0, s.length());
        int fits = (int) Math.floor(max / (0.6 * size));
        if (n <= fits) return s;
        if (fits <= 1) return "…";
        return s.substring(0, s.offsetByCodePoints(0, fits - 1)) + "…";
    }
}
