package dev.jlens.viz;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Draws a {@link Drawing} with Java2D (headless) into a PNG of the drawing's size times {@code scale}. */
final class PngWriter {
    static {
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    private PngWriter() {}

    static BufferedImage image(Drawing d, double scale) {
        int w = (int) Math.round(d.width * scale), h = (int) Math.round(d.height * scale);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.setColor(java.awt.Color.WHITE);
            g.fillRect(0, 0, w, h);
            g.scale(scale, scale);
            for (Drawing.Shape s : d.shapes) draw(g, s);
        } finally {
            g.dispose();
        }
        return img;
    }

    static byte[] png(Drawing d, double scale) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image(d, scale), "png", out)) throw new IllegalStateException("no PNG writer in this JVM");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void draw(Graphics2D g, Drawing.Shape s) {
        switch (s) {
            case Drawing.Rect r -> {
                Rectangle2D.Double rect = new Rectangle2D.Double(r.x(), r.y(), r.w(), r.h());
                if (r.fill() != null) {
                    g.setColor(r.fill().awt());
                    g.fill(rect);
                }
                if (r.stroke() != null) {
                    g.setColor(r.stroke().awt());
                    g.setStroke(new BasicStroke((float) r.strokeWidth()));
                    g.draw(rect);
                }
            }
            case Drawing.Line l -> {
                g.setColor(l.stroke().awt());
                g.setStroke(new BasicStroke((float) l.width()));
                g.draw(new Line2D.Double(l.x1(), l.y1(), l.x2(), l.y2()));
            }
            case Drawing.Polyline p -> {
                if (p.xs().length == 0) return;
                Path2D.Double path = new Path2D.Double();
                path.moveTo(p.xs()[0], p.ys()[0]);
                for (int i = 1; i < p.xs().length; i++) path.lineTo(p.xs()[i], p.ys()[i]);
                g.setColor(p.stroke().awt());
                g.setStroke(new BasicStroke((float) p.width(), BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND));
                g.draw(path);
            }
            case Drawing.Circle c -> {
                Ellipse2D.Double e = new Ellipse2D.Double(c.cx() - c.r(), c.cy() - c.r(), 2 * c.r(), 2 * c.r());
                g.setColor(c.fill().awt());
                g.fill(e);
                if (c.stroke() != null) {
                    g.setColor(c.stroke().awt());
                    g.setStroke(new BasicStroke(1f));
                    g.draw(e);
                }
            }
            case Drawing.Text t -> {
                Font font = new Font(Font.SANS_SERIF, t.bold() ? Font.BOLD : Font.PLAIN, 1).deriveFont((float) t.size());
                g.setFont(font);
                g.setColor(t.color().awt());
                double w = g.getFontMetrics().getStringBounds(t.text(), g).getWidth();
                double dx = switch (t.anchor()) {
                    case START -> 0;
                    case MIDDLE -> -w / 2;
                    case END -> -w;
                };
                AffineTransform saved = g.getTransform();
                g.translate(t.x(), t.y());
                if (t.rotate() != 0) g.rotate(Math.toRadians(t.rotate()));
                g.drawString(t.text(), (float) dx, 0f);
                g.setTransform(saved);
            }
        }
    }
}
