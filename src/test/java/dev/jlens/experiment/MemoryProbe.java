package dev.jlens.experiment;

import dev.jlens.model.HookedTransformer;
import dev.jlens.viz.ExperimentReport;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures in a JVM of its own what one analysis needs of the heap, for {@link MemoryEstimateMeasuredTest}: loads the model
 * ({@code args[0]}), runs the experiment ({@code args[1]}, a file) once to warm up, then prints
 * {@code baseline B estimate E} and, in mode {@code measure} ({@code args[2]}), runs it again while another thread
 * collects garbage without pause and keeps the most heap in use right after a collection: {@code peak P}, the
 * heap the analysis held live at once beyond the baseline. In mode {@code run} it only runs it again ({@code ok}),
 * to see whether a heap of a given size is enough. Each run is the web server's job: the analysis, the report's
 * page and the result's JSON.
 */
public final class MemoryProbe {
    private MemoryProbe() {}

    public static void main(String[] args) throws Exception {
        HookedTransformer model = HookedTransformer.fromFolder(Path.of(args[0]));
        Experiment experiment = Experiment.parse("request", Files.readString(Path.of(args[1])));
        boolean measure = args[2].equals("measure");
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        job(model, experiment);
        long baseline = usedAfterCollection(memory);
        long estimate = new ExperimentAnalysis(model).estimate(experiment).bytes();
        System.out.println("baseline " + baseline + " estimate " + estimate);
        if (!measure) {
            job(model, experiment);
            System.out.println("ok");
            return;
        }
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong peak = new AtomicLong();
        Thread sampler = Thread.ofPlatform().start(() -> {
            while (running.get()) {
                System.gc();
                peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
            }
        });
        Object result = job(model, experiment);
        running.set(false);
        sampler.join();
        if (result == null) throw new AssertionError();
        System.out.println("peak " + Math.max(0, peak.get() - baseline));
    }

    /** The web server's job: what it holds at its end is returned, so that it stays live until then. */
    private static Object job(HookedTransformer model, Experiment experiment) {
        AnalysisResult result = new ExperimentAnalysis(model).run(experiment);
        String html = new ExperimentReport(model).build(result, new ExperimentReport.Provenance(null, "{}", "model")).bodyHtml();
        String json = result.toJson().toString();
        return new Object[] {result, html, json};
    }

    private static long usedAfterCollection(MemoryMXBean memory) throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
