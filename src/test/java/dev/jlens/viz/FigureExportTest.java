package dev.jlens.viz;

import dev.jlens.testing.RandomCases;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** SVG and PNG exports: they open, have the figure's size, agree with each other, are deterministic and escape user text. */
class FigureExportTest {
    static final List<String> NASTY = List.of("<|endoftext|>", " </script><script>alert(1)</script>", " &amp; \"quoted\" 'single'",
            "\n", " tab\there", "\u0000\u0007", "caf\u00e9 \ud83d\ude00", "\ud800", "]]>");

    static Heatmap heatmap() {
        float[][] v = {{-2f, 0f, 1f}, {0.5f, -0.25f, 2f}};
        return Heatmap.builder(v).title("Logit Difference From Each Head").xTitle("Head").yTitle("Layer")
                .cellNames((l, h) -> "L" + l + "H" + h).build();
    }

    static List<Figure> figures() {
        List<String> tokens = NASTY;
        int n = tokens.size();
        float[][] pattern = new float[n][n];
        for (int q = 0; q < n; q++) for (int k = 0; k <= q; k++) pattern[q][k] = 1f / (q + 1);
        float[][] positions = new float[2][n];
        List<String> posLabels = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            positions[0][i] = i - 3;
            positions[1][i] = (float) Math.sin(i);
            posLabels.add(tokens.get(i) + "_" + i);
        }
        return List.of(heatmap(),
                Heatmap.builder(positions).title("patching <b>&").xTitle("Position").yTitle("Layer").xLabels(posLabels).build(),
                LineChart.builder().title("Logit lens").xTitle("Layer").yTitle("Logit difference")
                        .series("lens", new double[] {0, 0.5, 1}, new float[] {0.1f, -0.3f, 2.5f}, List.of("0_pre", "0_mid", "<final & \"post\">")).build(),
                ScatterPlot.builder().title("scatter").points(new double[] {1, 2, 3}, new double[] {3, 1, 2}).labels(List.of("a<", "b&", "c\""))
                        .color(new double[] {-1, 0, 1}, "attr").build(),
                AttentionPatterns.builder().title("heads").tokens(tokens).head("L0H1", pattern).head("L1H0", pattern).build());
    }

    static Document parseXml(String svg) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void svgIsWellFormedXmlOfTheFiguresSize() throws Exception {
        for (Figure f : figures()) {
            String svg = f.toSvg();
            Document doc = parseXml(svg);
            assertThat(doc.getDocumentElement().getTagName()).isEqualTo("svg");
            assertThat(doc.getDocumentElement().getAttribute("width")).as(f.toString()).isEqualTo(Integer.toString(f.width()));
            assertThat(doc.getDocumentElement().getAttribute("height")).isEqualTo(Integer.toString(f.height()));
            assertThat(svg).doesNotContain("<script").doesNotContain("</script>").doesNotContainPattern("[\\x00-\\x08]");
            assertThat(f.width()).isBetween(100, 3000);
            assertThat(f.height()).isBetween(100, 3000);
        }
    }

    @Test
    void svgIsDeterministic() {
        for (Figure f : figures()) assertThat(f.toSvg()).isEqualTo(f.toSvg());
        assertThat(heatmap().toSvg()).isEqualTo(heatmap().toSvg());
    }

    @Test
    void pngOpensWithTheFiguresSize(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        for (Figure f : figures()) {
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(f.toPng()));
            assertThat(img.getWidth()).as(f.toString()).isEqualTo(f.width());
            assertThat(img.getHeight()).isEqualTo(f.height());
            BufferedImage twice = ImageIO.read(new ByteArrayInputStream(f.toPng(2)));
            assertThat(twice.getWidth()).isEqualTo(2 * f.width());
        }
        Path file = dir.resolve("heads.png");
        heatmap().savePng(file);
        assertThat(Files.readAllBytes(file)).startsWith(0x89, 'P', 'N', 'G');
        heatmap().saveSvg(dir.resolve("heads.svg"));
        assertThat(Files.readString(dir.resolve("heads.svg"))).startsWith("<svg");
    }

    @Test
    void pngAndSvgShowTheSameCellColors() throws Exception {
        Heatmap h = heatmap();
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(h.toPng()));
        NodeList rects = parseXml(h.toSvg()).getElementsByTagName("rect");
        int checked = 0;
        for (int i = 0; i < rects.getLength(); i++) {
            var r = (org.w3c.dom.Element) rects.item(i);
            if (r.getElementsByTagName("title").getLength() == 0) continue;   // cells carry their hover text
            double x = Double.parseDouble(r.getAttribute("x")) + Double.parseDouble(r.getAttribute("width")) / 2;
            double y = Double.parseDouble(r.getAttribute("y")) + Double.parseDouble(r.getAttribute("height")) / 2;
            int rgb = img.getRGB((int) x, (int) y) & 0xffffff;
            assertThat(String.format("#%06x", rgb)).as(r.getTextContent()).isEqualTo(r.getAttribute("fill"));
            checked++;
        }
        assertThat(checked).isEqualTo(6);
    }

    @Test
    void heatmapColorsAreRdBuCenteredAtZero() throws Exception {
        Heatmap h = heatmap();
        assertThat(h.range()).isEqualTo(2.0);
        assertThat(ColorScale.RDBU.hex(0, 2)).isEqualTo("#f7f7f7");
        assertThat(ColorScale.RDBU.hex(-2, 2)).isEqualTo("#67001f");
        assertThat(ColorScale.RDBU.hex(2, 2)).isEqualTo("#053061");
        assertThat(ColorScale.RDBU.hex(-5, 2)).isEqualTo("#67001f");
        NodeList titles = parseXml(h.toSvg()).getElementsByTagName("title");
        List<String> tips = new ArrayList<>();
        for (int i = 0; i < titles.getLength(); i++) tips.add(titles.item(i).getTextContent());
        assertThat(tips).contains("L0H0: -2.0000", "L0H1: 0.0000", "L1H2: 2.0000", "L1H1: -0.2500");
        assertThat(h.tooltip(1, 0)).isEqualTo("L1H0: 0.5000");
        assertThat(Heatmap.builder(new float[][] {{1, -3}}).range(10).build().range()).isEqualTo(10.0);
    }

    @Test
    void userTextIsEscapedInSvgAndHtml() throws Exception {
        for (Figure f : figures()) {
            String html = f.toHtml();
            String markup = html.replaceAll("(?s)(<script\\b[^>]*>).*?</script>", "$1</script>");
            assertThat(markup).as(f.toString()).doesNotContain("<script>alert").doesNotContain("<b>&");
            // the specification JSON cannot end its script element early
            int start = html.indexOf("<script type=\"application/json\" class=\"jlens-spec\">");
            String spec = html.substring(start, html.indexOf("</script>", start));
            assertThat(spec).doesNotContain("<b>").doesNotContain("</").doesNotContain("\u2028");
            parseXml(f.toSvg());
        }
        String svg = figures().get(1).toSvg();
        assertThat(svg).contains("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;_1").contains("\\n_3").contains("patching &lt;b&gt;&amp;");
    }

    @Test
    void valuesArePrintedAsJavaScriptPrintsThem() {
        assertThat(Values.format(0.12345678f)).isEqualTo("0.1235");
        assertThat(Values.format(-1.5f)).isEqualTo("-1.5000");
        assertThat(Values.format(0f)).isEqualTo("0.0000");
        assertThat(Values.format(-0f)).isEqualTo("0.0000");
        assertThat(Values.format(0.00012345f)).isEqualTo("1.234e-4");   // (0.00012345).toExponential(3): the double is just below the tie
        assertThat(Values.format(-123456.7f)).isEqualTo("-1.235e+5");
        assertThat(Values.format(99999.99f)).isEqualTo("99999.9900");   // as written to the page: 99999.99
        assertThat(Values.format(1.00005f)).isEqualTo("1.0001");        // the double 1.00005 lies just above the tie
        assertThat(Values.format(0.0005f)).isEqualTo("5.000e-4");
        assertThat(Values.format(Float.NaN)).isEqualTo("NaN");
        assertThat(Values.format(Float.NEGATIVE_INFINITY)).isEqualTo("-Infinity");
    }

    @Test
    void valuesRoundLikeToFixedOnRandomFloats() {
        // toFixed(4) rounds the double's exact value half away from zero; so does BigDecimal HALF_UP on it
        RandomCases.run(11, 2000, rnd -> {
            float f = (float) ((rnd.nextDouble() - 0.5) * Math.pow(10, rnd.nextInt(6) - 2));
            String s = Values.format(f);
            double back = Double.parseDouble(s);
            double exact = Double.parseDouble(Float.toString(f));
            double tolerance = Math.abs(exact) < 1e-3 || Math.abs(exact) >= 1e5 ? Math.abs(exact) * 1e-3 : 0.5e-4 + 1e-12;
            assertThat(Math.abs(back - exact)).as("%s -> %s", f, s).isLessThanOrEqualTo(tolerance);
        });
    }

    @Test
    void buildersRefuseInconsistentInput() {
        assertThatThrownBy(() -> Heatmap.builder(new float[][] {{1, 2}, {3}}).build()).hasMessageContaining("differ in length");
        assertThatThrownBy(() -> Heatmap.builder(new float[][] {{1, 2}}).xLabels(List.of("a")).build()).hasMessageContaining("1 x labels for 2 columns");
        assertThatThrownBy(() -> Heatmap.builder(new float[][] {{1}}).id("bad id\"")).hasMessageContaining("figure id");
        assertThatThrownBy(() -> LineChart.builder().series("s", new double[] {1}, new float[] {1, 2}, null)).hasMessageContaining("1 x values for 2 y values");
        assertThatThrownBy(() -> AttentionPatterns.builder().tokens(List.of("a", "b")).head("L0H0", new float[][] {{1}}).build())
                .hasMessageContaining("not [2, 2]");
        assertThatThrownBy(() -> Page.builder("t").figure(heatmap().withId("x")).figure(heatmap().withId("x"))).hasMessageContaining("used twice");
    }

    @Test
    void notebookBundleHasHtmlSvgAndText() {
        var bundle = heatmap().mimeBundle();
        assertThat(bundle.keySet()).containsExactly("text/html", "image/svg+xml", "text/plain");
        assertThat(bundle.get("text/html")).contains("if(!globalThis.echarts)").contains("jlens-nb-").doesNotContain("<!DOCTYPE");
        assertThat(bundle.get("text/plain")).isEqualTo("Heatmap[Logit Difference From Each Head, 2x3]");
        assertThat(heatmap().notebookHtml()).isNotEqualTo(heatmap().notebookHtml());   // unique element ids per output
    }
}
