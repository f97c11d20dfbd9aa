package dev.jlens.viz;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The browser files bundled in the jar: ECharts ({@code echarts.min.js}, Apache-2.0, from the npm package
 * echarts 6.1.0), jlens' own figure renderer and style sheet. Read once; never from anywhere but the jar.
 */
public final class Assets {
    public static final String ECHARTS = "echarts.min.js";
    public static final String FIGURES_JS = "jlens-figures.js";
    public static final String STYLE = "jlens.css";

    private static final Map<String, String> CACHE = new ConcurrentHashMap<>();

    private Assets() {}

    /** The text of a bundled file by its name (one of the constants, or a file of the web UI). */
    public static String text(String name) {
        return CACHE.computeIfAbsent(name, Assets::read);
    }

    private static String read(String name) {
        try (InputStream in = Assets.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("missing bundled file dev/jlens/viz/" + name + " (a broken build?)");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A bundled script as it can stand inside a {@code <script>} element, loaded at most once per page. */
    static String inlineScript(String name, String global) {
        String js = text(name);
        if (js.contains("</script") || js.contains("<!--")) throw new IllegalStateException(name + " cannot be inlined: it contains </script or <!--");
        // Hide AMD/CommonJS loaders (a notebook page may have RequireJS) so the library always sets its global.
        return "if(!globalThis." + global + "){(function(define,exports,module){\n" + js + "\n}).call(globalThis);}";
    }
}
