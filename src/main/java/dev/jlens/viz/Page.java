package dev.jlens.viz;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;

import dev.jlens.io.AtomicFile;

/**
 * An HTML page of headings, text, tables, token strips and figures. {@link #toHtml()} is one self-contained
 * file: the style sheet and the scripts (ECharts and jlens' renderer) inlined once, the figures' data as JSON,
 * nothing referenced outside it. Every text given to the builder is escaped; none is taken as markup.
 */
public final class Page {
    private final String title;
    private final List<String> blocks;
    private final List<Figure> figures;

    private Page(Builder b) {
        this.title = b.title;
        this.blocks = List.copyOf(b.blocks);
        this.figures = List.copyOf(b.figures);
    }

    public static Builder builder(String title) {
        return new Builder(title);
    }

    public String title() {
        return title;
    }

    public List<Figure> figures() {
        return figures;
    }

    /** The page as one standalone HTML document. */
    public String toHtml() {
        return document(title, bodyHtml(), scripts());
    }

    /**
     * A standalone page around content {@link #bodyHtml()} made (the web UI's report, kept without its scripts):
     * style and scripts inlined as {@link #toHtml()} does.
     */
    public static String standalone(String title, String bodyHtml) {
        return document(title, bodyHtml, scripts(true));
    }

    private static String document(String title, String bodyHtml, String scripts) {
        StringBuilder b = new StringBuilder(2 << 20);
        b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<meta name=\"generator\" content=\"jlens ").append(Html.escape(version())).append("\">\n")
                .append("<title>").append(Html.escape(title)).append("</title>\n")
                .append("<link rel=\"icon\" href=\"data:,\">\n")
                .append("<style>\n").append(Assets.text(Assets.STYLE)).append("</style>\n</head>\n<body>\n");
        b.append(bodyHtml);
        b.append(scripts);
        return b.append("</body>\n</html>\n").toString();
    }

    /** The page's content without scripts or style, for a page that has them already (the web UI). */
    public String bodyHtml() {
        StringBuilder b = new StringBuilder(1 << 16);
        b.append("<main class=\"jlens-page\">\n");
        for (String block : blocks) b.append(block).append('\n');
        return b.append("</main>\n").toString();
    }

    /** A fragment for a notebook cell: style, content, and the scripts guarded so each loads once per notebook. */
    String notebookHtml() {
        return "<div class=\"jlens-notebook\">\n<style>\n" + Assets.text(Assets.STYLE) + "</style>\n" + bodyHtml() + scripts() + "</div>\n";
    }

    private String scripts() {
        return scripts(figures.stream().anyMatch(Figures::usesEcharts));
    }

    private static String scripts(boolean echarts) {
        StringBuilder b = new StringBuilder();
        if (echarts) {
            b.append("<script>\n").append(Assets.inlineScript(Assets.ECHARTS, "echarts")).append("\n</script>\n");
        }
        b.append("<script>\n").append(Assets.inlineScript(Assets.FIGURES_JS, "jlens")).append("\n</script>\n");
        b.append("<script>globalThis.jlens.renderAll(document);</script>\n");
        return b.toString();
    }

    public void save(Path file) {
        AtomicFile.writeString(file, toHtml());
    }

    static String version() {
        Properties p = new Properties();
        try (InputStream in = Page.class.getResourceAsStream("/dev/jlens/version.properties")) {
            if (in != null) p.load(in);
        } catch (IOException e) {
            return "unknown";
        }
        return p.getProperty("version", "unknown");
    }

    /** The HTML of one figure: its container and its data, drawn by jlens-figures.js. */
    static String figureHtml(Figure f) {
        String kind = Figures.kind(f);
        StringBuilder b = new StringBuilder();
        b.append("<figure class=\"jlens-figure jlens-").append(kind).append("\" id=\"").append(Html.escape(f.id()))
                .append("\" data-kind=\"").append(kind).append("\">\n");
        b.append("<div class=\"jlens-chart\" style=\"width:").append(f.width()).append("px;min-height:").append(f.height()).append("px\"");
        if (f.title() != null) b.append(" aria-label=\"").append(Html.escape(f.title())).append('"');
        b.append("></div>\n<script type=\"application/json\" class=\"jlens-spec\">").append(Figures.spec(f)).append("</script>\n</figure>");
        return b.toString();
    }

    public static final class Builder {
        private final String title;
        private final List<String> blocks = new ArrayList<>();
        private final List<Figure> figures = new ArrayList<>();
        private final Set<String> ids = new HashSet<>();
        private boolean inSection;

        private Builder(String title) {
            this.title = title == null ? "" : title;
        }

        /** The page's main heading. */
        public Builder heading(String text) {
            blocks.add("<h1>" + Html.escape(text) + "</h1>");
            return this;
        }

        /** Starts a section (closing the one before) with an element id and a heading. */
        public Builder section(String id, String heading) {
            endSection();
            blocks.add("<section id=\"" + Html.escape(claim(id)) + "\">\n<h2>" + Html.escape(heading) + "</h2>");
            inSection = true;
            return this;
        }

        public Builder subheading(String text) {
            blocks.add("<h3>" + Html.escape(text) + "</h3>");
            return this;
        }

        public Builder paragraph(String text) {
            return paragraph(null, text);
        }

        /** A paragraph with an element id (null: none). */
        public Builder paragraph(String id, String text) {
            blocks.add("<p" + idAttr(id) + ">" + Html.escape(text) + "</p>");
            return this;
        }

        /** Text shown as is, in a monospace block (e.g. an experiment file). */
        public Builder preformatted(String id, String text) {
            blocks.add("<pre" + idAttr(id) + ">" + Html.escape(text) + "</pre>");
            return this;
        }

        /** Name-value pairs, e.g. the model and the command that reproduces the page. */
        public Builder facts(String id, List<List<String>> pairs) {
            StringBuilder b = new StringBuilder("<dl class=\"jlens-facts\"" + idAttr(id) + ">");
            for (List<String> p : pairs) b.append("<dt>").append(Html.escape(p.get(0))).append("</dt><dd>").append(Html.escape(p.get(1))).append("</dd>");
            blocks.add(b.append("</dl>").toString());
            return this;
        }

        /** A table; cells that are numbers are right-aligned. */
        public Builder table(String id, String caption, List<String> header, List<List<String>> rows) {
            StringBuilder b = new StringBuilder("<table class=\"jlens-table\"" + idAttr(id) + ">");
            if (caption != null) b.append("<caption>").append(Html.escape(caption)).append("</caption>");
            b.append("<thead><tr>");
            for (String h : header) b.append("<th>").append(Html.escape(h)).append("</th>");
            b.append("</tr></thead><tbody>");
            for (List<String> row : rows) {
                b.append("<tr>");
                for (String cell : row) {
                    boolean number = cell.matches("-?[0-9][0-9.,e+-]*%?");
                    b.append(number ? "<td class=\"num\">" : "<td>").append(Html.escape(cell)).append("</td>");
                }
                b.append("</tr>");
            }
            blocks.add(b.append("</tbody></table>").toString());
            return this;
        }

        /** A prompt as its tokens: one chip per token, with its position, whitespace made visible. */
        public Builder tokens(String id, String caption, List<String> tokens) {
            return tokens(id, caption, tokens, Set.of());
        }

        /** As {@link #tokens(String, String, List)}, marking the tokens at {@code marked} positions (e.g. where a corrupted prompt differs). */
        public Builder tokens(String id, String caption, List<String> tokens, Set<Integer> marked) {
            StringBuilder b = new StringBuilder("<div class=\"jlens-tokens\"" + idAttr(id) + ">");
            if (caption != null) b.append("<span class=\"jlens-tokens-caption\">").append(Html.escape(caption)).append("</span>");
            for (int i = 0; i < tokens.size(); i++) {
                b.append("<span class=\"jlens-tok").append(marked.contains(i) ? " jlens-tok-marked" : "").append("\" data-pos=\"").append(i)
                        .append("\" title=\"position ").append(i).append(marked.contains(i) ? ", differs" : "").append("\">")
                        .append(Html.escape(Html.visibleToken(tokens.get(i)))).append("<sub>").append(i).append("</sub></span>");
            }
            blocks.add(b.append("</div>").toString());
            return this;
        }

        /**
         * A prompt's tokens colored by a value each (e.g. saliency) on the diverging scale over [-range, range], blue for
         * positive: one chip per token with its position; hovering names the value, which {@code data-value} also holds.
         */
        public Builder saliency(String id, String caption, List<String> tokens, float[] values, double range) {
            if (values.length != tokens.size()) throw new IllegalArgumentException(values.length + " values for " + tokens.size() + " tokens");
            StringBuilder b = new StringBuilder("<div class=\"jlens-tokens jlens-saliency\"" + idAttr(id) + ">");
            if (caption != null) b.append("<span class=\"jlens-tokens-caption\">").append(Html.escape(caption)).append("</span>");
            for (int i = 0; i < tokens.size(); i++) {
                double t = range > 0 ? Math.abs(values[i]) / range : 0;
                String value = Values.format(values[i]);
                b.append("<span class=\"jlens-tok\" data-pos=\"").append(i).append("\" data-value=\"").append(value)
                        .append("\" style=\"background:").append(ColorScale.RDBU.hex(values[i], range)).append(t > 0.6 ? ";color:#fff" : "")
                        .append("\" title=\"position ").append(i).append(": ").append(value).append("\">")
                        .append(Html.escape(Html.visibleToken(tokens.get(i)))).append("<sub>").append(i).append("</sub></span>");
            }
            blocks.add(b.append("</div>").toString());
            return this;
        }

        /** A figure; one without an id is numbered ({@code figure-1}, ...). */
        public Builder figure(Figure f) {
            Figure placed = f.id() != null ? f : f.withId("figure-" + (figures.size() + 1));
            claim(placed.id());
            figures.add(placed);
            blocks.add(figureHtml(placed));
            return this;
        }

        /** Opens a group of blocks laid out side by side (closed by {@link #endGroup()}). */
        public Builder group(String id, String cssClass) {
            blocks.add("<div class=\"" + Html.escape(cssClass) + "\"" + idAttr(id) + ">");
            return this;
        }

        public Builder endGroup() {
            blocks.add("</div>");
            return this;
        }

        public Page build() {
            endSection();
            return new Page(this);
        }

        private void endSection() {
            if (inSection) blocks.add("</section>");
            inSection = false;
        }

        private String idAttr(String id) {
            return id == null ? "" : " id=\"" + Html.escape(claim(id)) + "\"";
        }

        private String claim(String id) {
            Figures.checkId(id);
            if (!ids.add(id)) throw new IllegalArgumentException("element id \"" + id + "\" is used twice on the page");
            return id;
        }
    }
}
