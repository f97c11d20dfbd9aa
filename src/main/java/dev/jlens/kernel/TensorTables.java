package dev.jlens.kernel;

import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.Renderer;

import java.util.Arrays;
import java.util.function.IntFunction;

/**
 * Tensors in a cell's output: a scalar, vector or matrix as an HTML table under its shape (a large one by its
 * first and last rows and columns, as torch prints it), a higher rank as its shape and text; the text beside it.
 */
final class TensorTables {
    /** Rows and columns shown at each end of a longer axis. */
    static final int EDGE = 10;

    private TensorTables() {}

    static void register(Renderer renderer) {
        renderer.createRegistration(Tensor.class).preferring("text/html").register((t, context) ->
                put(context.getOutputContainer(), "float", t.shape(), t.rank() <= 2 ? floats(t) : null, t.toString()));
        renderer.createRegistration(IntTensor.class).preferring("text/html").register((t, context) ->
                put(context.getOutputContainer(), "int", t.shape(), t.rank() <= 2 ? ints(t) : null, t.toString()));
    }

    private static IntFunction<String> floats(Tensor t) {
        float[] values = t.toArray();
        return i -> String.format(java.util.Locale.ROOT, "%.4f", values[i]);
    }

    private static IntFunction<String> ints(IntTensor t) {
        int[] values = t.toArray();
        return i -> Integer.toString(values[i]);
    }

    private static void put(DisplayData out, String type, int[] shape, IntFunction<String> cell, String text) {
        out.putHTML(html(type, shape, cell, text));
        out.putText(text);
    }

    /** The table of a tensor of rank 0 to 2 whose element at flat index i is {@code cell(i)}; else its text. */
    static String html(String type, int[] shape, IntFunction<String> cell, String text) {
        StringBuilder b = new StringBuilder("<div class=\"jlens-tensor\"><div style=\"color:#666\">")
                .append(type).append(" tensor, shape ").append(Arrays.toString(shape)).append("</div>");
        if (cell == null) {
            return b.append("<pre>").append(escape(text)).append("</pre></div>").toString();
        }
        int rows = shape.length == 2 ? shape[0] : 1, cols = shape.length == 0 ? 1 : shape[shape.length - 1];
        b.append("<table style=\"font-variant-numeric:tabular-nums\">");
        for (int r : shown(rows)) {
            b.append("<tr>");
            for (int c : shown(cols)) {
                b.append(r < 0 || c < 0 ? "<td>…</td>" : "<td style=\"text-align:right\">" + cell.apply(r * cols + c) + "</td>");
            }
            b.append("</tr>");
        }
        return b.append("</table></div>").toString();
    }

    /** The indices shown along an axis of length n: all, or the first and last EDGE with -1 for the gap. */
    static int[] shown(int n) {
        if (n <= 2 * EDGE) {
            int[] all = new int[n];
            Arrays.setAll(all, i -> i);
            return all;
        }
        int[] out = new int[2 * EDGE + 1];
        for (int i = 0; i < EDGE; i++) {
            out[i] = i;
            out[EDGE + 1 + i] = n - EDGE + i;
        }
        out[EDGE] = -1;
        return out;
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
