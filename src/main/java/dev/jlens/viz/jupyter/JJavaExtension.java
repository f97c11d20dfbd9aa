package dev.jlens.viz.jupyter;

import org.dflib.jjava.jupyter.Extension;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.Renderer;

import java.lang.reflect.Method;
import java.util.Map;

/**
 * Shows jlens figures in the JJava Jupyter kernel: a figure that is a cell's value (or passed to {@code display})
 * renders as its interactive HTML, with SVG and text beside it. The kernel finds this class through
 * {@code META-INF/services/org.dflib.jjava.jupyter.Extension} when jlens' jar is on its class path; nothing
 * else loads it, so jlens needs no JJava at run time.
 *
 * <p>JJava may load extensions with a class loader of its own, so the figure class the notebook's code sees can
 * differ from the one here: figures are therefore recognized by the name of their interface and asked for their
 * MIME bundle reflectively.
 */
public final class JJavaExtension implements Extension {
    static final String FIGURE = "dev.jlens.viz.Figure";

    @Override
    public void install(BaseKernel kernel) {
        register(kernel.getRenderer());
    }

    /** Registers the figure renderer (also usable on a renderer of one's own). */
    public static void register(Renderer renderer) {
        renderer.createRegistration(Object.class).preferring("text/html").supporting("image/svg+xml").register((value, context) -> {
            Map<String, String> bundle = bundle(value);
            if (bundle == null) return;
            DisplayData out = context.getOutputContainer();
            out.putHTML(bundle.get("text/html"));
            out.putSVG(bundle.get("image/svg+xml"));
            out.putText(bundle.get("text/plain"));
        });
    }

    /** The figure's MIME bundle, or null for anything that is not a jlens figure. */
    @SuppressWarnings("unchecked")
    static Map<String, String> bundle(Object value) {
        if (value == null || !isFigure(value.getClass())) return null;
        try {
            Method m = value.getClass().getMethod("mimeBundle");
            m.setAccessible(true);
            return (Map<String, String>) m.invoke(value);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static boolean isFigure(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Class<?> i : c.getInterfaces()) if (i.getName().equals(FIGURE)) return true;
        }
        return false;
    }
}
