package dev.jlens.kernel;

import org.dflib.jjava.jupyter.kernel.display.DisplayData;

/**
 * What a cell can call besides jlens itself (imported statically into every cell): {@code display(x)} shows a
 * value the way a cell's last expression would, so one cell can show several figures.
 */
public final class Notebook {
    private static volatile JlensKernel kernel;
    private static volatile boolean stackTraces;

    private Notebook() {}

    static void attach(JlensKernel k) {
        kernel = k;
    }

    /** Shows {@code value} in the cell's output: a figure as HTML (with SVG and text), anything else as text. */
    public static void display(Object value) {
        JlensKernel k = kernel;
        if (k == null) {
            System.out.println(value);
            return;
        }
        DisplayData data = k.getRenderer().render(value);
        k.display(data);
    }

    /** Whether a failing cell shows its stack trace under the one-line message (off by default). */
    public static void showStackTraces(boolean on) {
        stackTraces = on;
    }

    static boolean stackTraces() {
        return stackTraces;
    }
}
