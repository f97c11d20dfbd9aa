package dev.jlens.viz;

/** Writes a {@link Drawing} as a standalone SVG document: deterministic, no script, user text escaped. */
final class SvgWriter {
    private SvgWriter() {}

    static String write(Drawing d, String title) {
        StringBuilder b = new StringBuilder(8192);
        b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(d.width).append("\" height=\"").append(d.height)
                .append("\" viewBox=\"0 0 ").append(d.width).append(' ').append(d.height).append("\" font-family=\"")
                .append(Drawing.FONT_FAMILY).append("\">\n");
        if (title != null && !title.isEmpty()) b.append("<title>").append(Html.escape(title)).append("</title>\n");
        b.append("<rect width=\"").append(d.width).append("\" height=\"").append(d.height).append("\" fill=\"#ffffff\"/>\n");
        for (Drawing.Shape s : d.shapes) {
            switch (s) {
                case Drawing.Rect r -> {
                    b.append("<rect x=\"").append(c(r.x())).append("\" y=\"").append(c(r.y())).append("\" width=\"").append(c(r.w()))
                            .append("\" height=\"").append(c(r.h())).append("\" fill=\"").append(r.fill() == null ? "none" : r.fill().hex()).append('"');
                    if (r.stroke() != null) b.append(" stroke=\"").append(r.stroke().hex()).append("\" stroke-width=\"").append(c(r.strokeWidth())).append('"');
                    closeWithTooltip(b, "rect", r.tooltip());
                }
                case Drawing.Line l -> b.append("<line x1=\"").append(c(l.x1())).append("\" y1=\"").append(c(l.y1())).append("\" x2=\"")
                        .append(c(l.x2())).append("\" y2=\"").append(c(l.y2())).append("\" stroke=\"").append(l.stroke().hex())
                        .append("\" stroke-width=\"").append(c(l.width())).append("\"/>\n");
                case Drawing.Polyline p -> {
                    b.append("<polyline fill=\"none\" stroke=\"").append(p.stroke().hex()).append("\" stroke-width=\"").append(c(p.width()))
                            .append("\" stroke-linejoin=\"round\" points=\"");
                    for (int i = 0; i < p.xs().length; i++) {
                        if (i > 0) b.append(' ');
                        b.append(c(p.xs()[i])).append(',').append(c(p.ys()[i]));
                    }
                    b.append("\"/>\n");
                }
                case Drawing.Circle ci -> {
                    b.append("<circle cx=\"").append(c(ci.cx())).append("\" cy=\"").append(c(ci.cy())).append("\" r=\"").append(c(ci.r()))
                            .append("\" fill=\"").append(ci.fill().hex()).append('"');
                    if (ci.stroke() != null) b.append(" stroke=\"").append(ci.stroke().hex()).append('"');
                    closeWithTooltip(b, "circle", ci.tooltip());
                }
                case Drawing.Text t -> {
                    b.append("<text x=\"").append(c(t.x())).append("\" y=\"").append(c(t.y())).append("\" font-size=\"").append(c(t.size())).append('"');
                    if (t.anchor() != Drawing.Anchor.START) b.append(" text-anchor=\"").append(t.anchor() == Drawing.Anchor.MIDDLE ? "middle" : "end").append('"');
                    if (t.rotate() != 0) b.append(" transform=\"rotate(").append(c(t.rotate())).append(' ').append(c(t.x())).append(' ').append(c(t.y())).append(")\"");
                    if (!t.color().equals(Rgb.TEXT)) b.append(" fill=\"").append(t.color().hex()).append('"');
                    else b.append(" fill=\"").append(Rgb.TEXT.hex()).append('"');
                    if (t.bold()) b.append(" font-weight=\"bold\"");
                    b.append(" xml:space=\"preserve\">").append(Html.escape(t.text())).append("</text>\n");
                }
            }
        }
        return b.append("</svg>\n").toString();
    }

    private static void closeWithTooltip(StringBuilder b, String element, String tooltip) {
        if (tooltip == null) {
            b.append("/>\n");
        } else {
            b.append("><title>").append(Html.escape(tooltip)).append("</title></").append(element).append(">\n");
        }
    }

    private static String c(double v) {
        return Values.coord(v);
    }
}
