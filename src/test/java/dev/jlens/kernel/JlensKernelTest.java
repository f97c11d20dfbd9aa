package dev.jlens.kernel;

import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The kernel's cell evaluation in this JVM, without Jupyter: values, figures, errors and interrupts. */
class JlensKernelTest {
    private static JlensKernel kernel;

    @BeforeAll
    static void start() {
        kernel = new JlensKernel(System.getProperty("java.class.path"));
    }

    @AfterAll
    static void stop() {
        kernel.onShutdown(false);
    }

    @Test
    void aCellsLastExpressionIsItsValueAndDeclarationsShowNothing() {
        assertThat(kernel.evalRaw("int kernelTestX = 20;\nkernelTestX + 1")).isEqualTo(21);
        assertThat(kernel.evalRaw("int kernelTestY = 3;")).isNull();
        assertThat(kernel.evalRaw("kernelTestY")).isEqualTo(3);
        assertThat(kernel.evalRaw("kernelTestY = 4;")).isNull();  // an assignment is not shown, as in Python
    }

    @Test
    void jlensIsImportedAndAFigureValueShowsAsHtmlSvgAndText() {
        Object value = kernel.evalRaw("Heatmap.builder(new float[][] {{1, -1}, {0.5f, 2}}).title(\"Kernel test map\").build()");
        assertThat(value.getClass().getName()).isEqualTo("dev.jlens.viz.Heatmap");
        DisplayData shown = kernel.getRenderer().render(value);
        assertThat((String) shown.getData(MIMEType.parse("text/html"))).contains("class=\"jlens-figure").contains("Kernel test map").contains("<script");
        assertThat((String) shown.getData(MIMEType.parse("image/svg+xml"))).startsWith("<svg");
        assertThat((String) shown.getData(MIMEType.parse("text/plain"))).contains("Kernel test map");
    }

    @Test
    void aTensorShowsAsATableUnderItsShapeWithTheCornersOfALargeOne() {
        DisplayData small = kernel.getRenderer().render(kernel.evalRaw("Tensor.of(new float[] {1, 2, 3, 4, 5, 6.5f}, 2, 3)"));
        String html = (String) small.getData(MIMEType.parse("text/html"));
        assertThat(html).contains("shape [2, 3]").contains("<td style=\"text-align:right\">6.5000</td>");
        assertThat(html.split("<tr>", -1)).hasSize(3);
        assertThat(html.split("<td", -1)).hasSize(7);
        assertThat((String) small.getData(MIMEType.parse("text/plain"))).contains("6.5");

        String wide = (String) kernel.getRenderer().render(kernel.evalRaw("IntTensor.of(new int[][] {java.util.stream.IntStream.range(0, 30).toArray()})"))
                .getData(MIMEType.parse("text/html"));
        assertThat(wide).contains("int tensor, shape [1, 30]").contains(">9</td><td>…</td><td style=\"text-align:right\">20<").doesNotContain(">10<");

        String cube = (String) kernel.getRenderer().render(kernel.evalRaw("Tensor.zeros(2, 2, 2)")).getData(MIMEType.parse("text/html"));
        assertThat(cube).contains("shape [2, 2, 2]").contains("<pre>");
    }

    @Test
    void aCompileErrorIsOneLineNamingTheSymbolAndTheCode() {
        CellError e = catchThrowableOfType(CellError.class, () -> kernel.evalRaw("int ok = 1;\nnoSuchVariable + 1"));
        assertThat(e.errorName()).isEqualTo("CompileError");
        assertThat(e.getMessage()).contains("cannot find symbol").contains("noSuchVariable").doesNotContain("\n").doesNotContain("location");
        assertThat(kernel.formatError(e)).containsExactly(e.getMessage());
    }

    @Test
    void anExceptionIsOneLineUnlessStackTracesAreAskedFor() {
        CellError e = catchThrowableOfType(CellError.class, () -> kernel.evalRaw("throw new IllegalStateException(\"boom\");"));
        assertThat(e.getMessage()).isEqualTo("IllegalStateException: boom");
        assertThat(kernel.formatError(e)).containsExactly("IllegalStateException: boom");

        CellError ours = catchThrowableOfType(CellError.class, () -> kernel.evalRaw("HookedTransformer.fromPretrained(\"/no/such/model/folder\")"));
        assertThat(ours.getMessage()).doesNotContain("Exception").contains("/no/such/model/folder");

        kernel.evalRaw("showStackTraces(true);");
        try {
            assertThat(kernel.formatError(e)).hasSizeGreaterThan(1).first().isEqualTo("IllegalStateException: boom");
        } finally {
            kernel.evalRaw("showStackTraces(false);");
        }
    }

    @Test
    void aSweepReportingProgressStopsAtItsNextRunOnceTheKernelIsInterrupted() {
        dev.jlens.util.Progress progress = Notebook.progress("sweep");
        progress.update(1, 10);  // not interrupted: goes on
        kernel.interrupt();      // no cell is running: only marks the kernel interrupted, as during a sweep
        CellError e = catchThrowableOfType(CellError.class, () -> progress.update(2, 10));
        assertThat(e.getMessage()).isEqualTo("the cell was interrupted");
        assertThat(kernel.evalRaw("1 + 1")).isEqualTo(2);  // the next cell starts afresh
    }

    @Test
    void anInterruptStopsARunningCellAndTheNextCellRuns() throws Exception {
        CompletableFuture<Object> running = CompletableFuture.supplyAsync(() -> {
            try {
                return kernel.evalRaw("for (long spins = 0; ; spins++) if (spins == 0) System.setProperty(\"jlens.kernelTest.looping\", \"yes\");");
            } catch (CellError e) {
                return e;
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.getProperty("jlens.kernelTest.looping") == null && System.nanoTime() < deadline) Thread.sleep(20);
        assertThat(running).isNotDone();
        kernel.interrupt();
        Object result = running.get(30, TimeUnit.SECONDS);
        assertThat(result).isInstanceOf(CellError.class);
        assertThat(((CellError) result).errorName()).isEqualTo("Interrupted");
        assertThat(kernel.evalRaw("List.of(1, 2).size()")).isEqualTo(2);
        // The stopper of the interrupted cell must not reach the cells after it (it retries every 50 ms).
        for (int i = 0; i < 20; i++) {
            assertThat(kernel.evalRaw("long afterInterrupt = 0;\nfor (int k = 0; k < 3_000_000; k++) afterInterrupt += k % 3;\nafterInterrupt"))
                    .as("cell %d after the interrupt", i).isEqualTo(3_000_000L);
        }
    }

    @Test
    void anInterruptStopsALongLibraryCallThatReportsNoProgress() throws Exception {
        // One library call, no code of the cell's own running meanwhile (JShell stops that by itself): a plain
        // [layer, head, dest, src] pattern-patching sweep, thousands of forward passes, with no progress given.
        kernel.evalRaw("var interruptModel = HookedTransformer.fromPretrained(\"" + tinyModel() + "\");\n"
                + "var interruptClean = interruptModel.toTokens(\"" + "The pet of this family is a cat. ".repeat(5) + "\");\n"
                + "var interruptCorrupted = interruptModel.toTokens(\"" + "The pet of this family is a dog. ".repeat(5) + "\");\n"
                + "var interruptSweep = new Patching(interruptModel, interruptCorrupted, interruptModel.runWithCache(interruptClean).cache(), "
                + "LogitDiff.normalized(IntTensor.of(new int[][] {{0, 1}}), 1f, 0f)).plain();");
        CompletableFuture<Object> running = CompletableFuture.supplyAsync(() -> {
            try {
                return kernel.evalRaw("System.setProperty(\"jlens.kernelTest.sweeping\", \"yes\");\ninterruptSweep.attnHeadPatternDestSrcPos()");
            } catch (CellError e) {
                return e;
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.getProperty("jlens.kernelTest.sweeping") == null && System.nanoTime() < deadline) Thread.sleep(20);
        Thread.sleep(300);
        assertThat(running).isNotDone();
        kernel.interrupt();
        Object result = running.get(30, TimeUnit.SECONDS);
        assertThat(result).isInstanceOf(CellError.class);
        assertThat(((CellError) result).errorName()).isEqualTo("Interrupted");
        assertThat(kernel.evalRaw("interruptModel.forward(interruptClean).shape(1) == interruptClean.shape(1)")).isEqualTo(true);
    }

    private static String tinyModel() {
        return java.nio.file.Path.of("src/test/resources/fixtures/tiny-gpt2-a").toAbsolutePath().toString().replace("\\", "/");
    }
}
