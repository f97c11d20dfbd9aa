package dev.jlens.viz;

import dev.jlens.io.AtomicFile;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A figure: interactive in a browser ({@link #toHtml()}, with the JavaScript bundled in the jar inlined, nothing
 * fetched from a network), static as SVG ({@link #toSvg()}, no script) and PNG ({@link #toPng()}), the last two
 * drawn from one model so they agree. Figures are immutable values built with their builders
 * ({@link Heatmap#builder}, {@link LineChart#builder}, {@link ScatterPlot#builder}, {@link AttentionPatterns#builder}).
 *
 * <pre>{@code
 * Heatmap h = Heatmap.builder(perHead).title("Logit Difference From Each Head").xTitle("Head").yTitle("Layer")
 *         .cellNames((layer, head) -> "L" + layer + "H" + head).build();
 * Files.writeString(Path.of("heads.html"), h.toHtml());
 * h.savePng(Path.of("heads.png"));
 * }</pre>
 *
 * In the JJava Jupyter kernel a figure displays itself when it is a cell's value (jlens registers a renderer
 * when the kernel loads it); elsewhere {@code display(fig.notebookHtml(), "text/html")} shows it.
 */
public sealed interface Figure permits Heatmap, LineChart, ScatterPlot, AttentionPatterns {
    /** The element id in a page, or null to have {@link Page} number it. */
    String id();

    String title();

    /** Width and height in CSS pixels; the SVG has this size and {@link #toPng()} has this many pixels. */
    int width();

    int height();

    /** This figure with another element id. */
    Figure withId(String id);

    /** A standalone HTML page showing the figure, with everything it needs inlined. */
    default String toHtml() {
        return Page.builder(title() == null || title().isEmpty() ? "jlens figure" : title()).figure(this).build().toHtml();
    }

    /** The figure as an SVG document (deterministic; hover titles on cells and points; no script). */
    default String toSvg() {
        return SvgWriter.write(Figures.drawing(this), title());
    }

    /** The figure as a PNG of {@link #width()} x {@link #height()} pixels. */
    default byte[] toPng() {
        return toPng(1);
    }

    /** The figure as a PNG, {@code scale} times its size (2 for sharp images on dense screens). */
    default byte[] toPng(double scale) {
        if (!(scale > 0 && scale <= 8)) throw new IllegalArgumentException("scale must be in (0, 8], got " + scale);
        return PngWriter.png(Figures.drawing(this), scale);
    }

    default void savePng(Path file) {
        byte[] png = toPng();
        AtomicFile.write(file, out -> { var buf = java.nio.ByteBuffer.wrap(png); while (buf.hasRemaining()) out.write(buf); });
    }

    default void saveSvg(Path file) {
        AtomicFile.writeString(file, toSvg());
    }

    default void saveHtml(Path file) {
        AtomicFile.writeString(file, toHtml());
    }

    /**
     * An HTML fragment for a notebook cell: the figure and, guarded so a second figure does not load them again,
     * the inlined scripts. Its element id is made unique so many figures can share a notebook.
     */
    default String notebookHtml() {
        String unique = "jlens-nb-" + Figures.NOTEBOOK_IDS.incrementAndGet() + "-" + Long.toHexString(System.nanoTime());
        return Page.builder(title()).figure(withId(unique)).build().notebookHtml();
    }

    /** MIME type to content, as Jupyter's display_data wants it: text/html, image/svg+xml and text/plain. */
    default Map<String, String> mimeBundle() {
        Map<String, String> bundle = new LinkedHashMap<>();
        bundle.put("text/html", notebookHtml());
        bundle.put("image/svg+xml", toSvg());
        bundle.put("text/plain", toString());
        return bundle;
    }
}
