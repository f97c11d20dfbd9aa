package dev.jlens.viz.jupyter;

import dev.jlens.viz.Heatmap;
import org.dflib.jjava.jupyter.Extension;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.junit.jupiter.api.Test;

import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;

/** The JJava display hook: found by the kernel's service loader, it renders figures as HTML + SVG and leaves anything else alone. */
class JJavaExtensionTest {
    @Test
    void theKernelFindsTheExtension() {
        assertThat(ServiceLoader.load(Extension.class).stream().map(p -> p.type().getName()))
                .contains(JJavaExtension.class.getName());
    }

    @Test
    void aFigureRendersAsInteractiveHtmlWithSvgBeside() {
        Renderer renderer = new Renderer();
        JJavaExtension.register(renderer);
        Heatmap h = Heatmap.builder(new float[][] {{1, -1}}).title("heads").build();
        DisplayData data = renderer.render(h);
        assertThat((String) data.getData(MIMEType.TEXT_HTML)).contains("jlens-figure").contains("if(!globalThis.echarts)");
        assertThat((String) data.getData(MIMEType.parse("image/svg+xml"))).startsWith("<svg");
        assertThat((String) data.getData(MIMEType.TEXT_PLAIN)).isEqualTo("Heatmap[heads, 1x2]");
    }

    @Test
    void otherValuesKeepTheirPlainText() {
        Renderer renderer = new Renderer();
        JJavaExtension.register(renderer);
        DisplayData data = renderer.render(java.util.List.of(1, 2));
        assertThat(data.hasDataForType(MIMEType.TEXT_HTML)).isFalse();
        assertThat((String) data.getData(MIMEType.TEXT_PLAIN)).isEqualTo("[1, 2]");
    }
}
