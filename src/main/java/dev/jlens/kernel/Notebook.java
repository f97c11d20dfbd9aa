package dev.jlens.kernel;

import dev.jlens.analysis.TestPrompt;
import dev.jlens.model.HookedTransformer;
import dev.jlens.util.Progress;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What a cell can call besides jlens itself (imported statically into every cell): {@code display(x)} shows a
 * value the way a cell's last expression would, so one cell can show several figures; {@code testPrompt} prints
 * what TransformerLens' {@code utils.test_prompt} prints; {@code progress(what)}
 * shows how far a long job (a patching sweep's {@code withProgress}) has come, and stops it when the kernel is
 * interrupted.
 */
public final class Notebook {
    private static volatile JlensKernel kernel;
    private static volatile boolean stackTraces;
    private static final AtomicLong PROGRESS_IDS = new AtomicLong();
    /** Updates of a progress line at most this often (a sweep reports every run). */
    static final long PROGRESS_EVERY_NANOS = 250_000_000L;

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

    /** TransformerLens' {@code utils.test_prompt(prompt, answer, model, prepend_bos=True)}: prints the same text. */
    public static void testPrompt(HookedTransformer model, String prompt, String answer) {
        System.out.print(new TestPrompt(model).run(prompt, answer));
    }

    /** Whether a failing cell shows its stack trace under the one-line message (off by default). */
    public static void showStackTraces(boolean on) {
        stackTraces = on;
    }

    static boolean stackTraces() {
        return stackTraces;
    }

    /**
     * A progress line in the cell's output ("what: 57 of 152"), updated in place; once the kernel is interrupted,
     * its next update stops the job by throwing (the library reports progress between runs).
     */
    public static Progress progress(String what) {
        JlensKernel k = kernel;
        if (k == null) return Progress.NONE;
        String id = "jlens-progress-" + PROGRESS_IDS.incrementAndGet();
        DisplayData first = new DisplayData(what + ": starting");
        first.setDisplayId(id);
        k.display(first);
        long[] last = {System.nanoTime()};
        return (done, total) -> {
            k.stopIfInterrupted();
            long now = System.nanoTime();
            if (done != total && now - last[0] < PROGRESS_EVERY_NANOS) return;
            last[0] = now;
            k.getIO().display.updateDisplay(id, new DisplayData(what + ": " + done + (total < 0 ? "" : " of " + total)));
        };
    }
}
