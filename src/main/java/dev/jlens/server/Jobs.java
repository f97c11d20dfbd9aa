package dev.jlens.server;

import dev.jlens.JlensException;
import dev.jlens.OutOfMemory;
import dev.jlens.analysis.AnalysisResult;
import dev.jlens.analysis.Experiment;
import dev.jlens.analysis.ExperimentAnalysis;
import dev.jlens.model.HookedTransformer;
import dev.jlens.util.Progress;
import dev.jlens.viz.ExperimentReport;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The analyses the web UI asked for. They run one at a time on one worker (the machine's cores go to each
 * analysis' own kernels); a few wait in line, and the most recent ones are kept for their results. The shared
 * model is immutable and every run's hooks are its own, so jobs never see each other's state.
 */
final class Jobs implements AutoCloseable {
    static final int MAX_QUEUED = 8, KEPT = 32;

    private final HookedTransformer model;
    private final String modelArgument;
    private final Progress observer;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("jlens-analysis").daemon(true).factory());
    private final Map<String, Job> jobs = new LinkedHashMap<>();
    private final SecureRandom random = new SecureRandom();

    Jobs(HookedTransformer model, String modelArgument, Progress observer) {
        this.model = model;
        this.modelArgument = modelArgument;
        this.observer = observer;
    }

    /** Queues an analysis; throws {@link Busy} when too many wait. */
    synchronized Job submit(Experiment experiment, String requestText) {
        long waiting = jobs.values().stream().filter(j -> j.state() == Job.State.QUEUED || j.state() == Job.State.RUNNING).count();
        if (waiting >= MAX_QUEUED) throw new Busy("the server has " + waiting + " analyses queued or running; wait for one to finish or cancel one");
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        Job job = new Job(HexFormat.of().formatHex(bytes));
        jobs.put(job.id, job);
        evict();
        try {
            worker.execute(() -> run(job, experiment, requestText));
        } catch (RejectedExecutionException e) {
            jobs.remove(job.id);
            throw new Busy("the server is shutting down");
        }
        return job;
    }

    synchronized Job get(String id) {
        return jobs.get(id);
    }

    private void evict() {
        Iterator<Job> it = jobs.values().iterator();
        while (jobs.size() > KEPT && it.hasNext()) {
            if (it.next().finished()) it.remove();
        }
    }

    private void run(Job job, Experiment experiment, String requestText) {
        if (!job.start()) return;
        Progress progress = (done, total) -> {
            job.stage("patching");
            job.progress(done, total);
            observer.update(done, total);
            if (job.cancelRequested()) throw new CancellationException("cancelled");
        };
        try {
            AnalysisResult result = new ExperimentAnalysis(model, progress).run(experiment);
            if (job.cancelRequested()) throw new CancellationException("cancelled");
            job.stage("drawing");
            String html = new ExperimentReport(model).build(result, new ExperimentReport.Provenance(null, requestText, modelArgument)).bodyHtml();
            job.succeed(html, result.toJson().toString());
        } catch (CancellationException e) {
            job.cancelled();
        } catch (JlensException e) {
            job.fail(oneLine(e.getMessage()));
        } catch (OutOfMemoryError | RuntimeException e) {
            if (OutOfMemory.isOrCausedBy(e)) job.fail("out of memory; give the server's JVM more (JLENS_JAVA_OPTS=-Xmx...) or use shorter prompts");
            else job.fail("internal error: " + e.getClass().getSimpleName() + ": " + oneLine(String.valueOf(e.getMessage())));
        }
    }

    static String oneLine(String s) {
        return s == null ? "unknown error" : s.replace("\r", "").replace('\n', ' ').strip();
    }

    @Override
    public void close() {
        synchronized (this) {
            jobs.values().forEach(Job::cancel);
        }
        worker.shutdownNow();
        try {
            worker.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Too many analyses wait already. */
    static final class Busy extends RuntimeException {
        Busy(String message) {
            super(message);
        }
    }
}
