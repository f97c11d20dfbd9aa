package dev.jlens.server;

import dev.jlens.JlensException;
import dev.jlens.OutOfMemory;
import dev.jlens.experiment.AnalysisResult;
import dev.jlens.experiment.Experiment;
import dev.jlens.experiment.ExperimentAnalysis;
import dev.jlens.experiment.MemoryEstimate;
import dev.jlens.model.HookedTransformer;
import dev.jlens.util.Progress;
import dev.jlens.viz.ExperimentReport;
import dev.jlens.util.Text;

import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;

/**
 * The analyses the web UI asked for. They run one at a time on one worker thread (the machine's cores go to each
 * analysis' own kernels). Everything here is bounded, so that no client, however many requests it sends, can grow
 * the heap: at most {@link #MAX_QUEUED} jobs wait in line (a cancelled one leaves the line at once, its request
 * dropped), and of the finished jobs only the most recent are kept for their results, at most {@link #KEPT} of them
 * and at most {@code keptBytes} of answers together. The shared model is immutable and every run's hooks are its
 * own, so jobs never see each other's state.
 */
final class Jobs implements AutoCloseable {
    static final int MAX_QUEUED = 8, KEPT = 32;

    private final HookedTransformer model;
    private final String modelArgument;
    private final Progress observer;
    private final long keptBytes;
    private final ServerLog log;
    /** Every job still known: waiting, running, or finished and kept. Insertion order is age. */
    private final Map<String, Job> jobs = new LinkedHashMap<>();
    private final ArrayDeque<Job> line = new ArrayDeque<>();
    private final SecureRandom random = new SecureRandom();
    private final Thread worker;
    private boolean closed;

    Jobs(HookedTransformer model, String modelArgument, Progress observer, long keptBytes, ServerLog log) {
        this.model = model;
        this.log = log;
        this.modelArgument = modelArgument;
        this.observer = observer;
        this.keptBytes = keptBytes;
        this.worker = Thread.ofPlatform().name("jlens-analysis").daemon(true).start(this::work);
    }

    /** Queues an analysis; throws {@link Busy} when the line is full. */
    synchronized Job submit(Experiment experiment, String requestText) {
        if (closed) throw new Busy("the server is shutting down");
        if (line.size() >= MAX_QUEUED) {
            throw new Busy("the server has " + line.size() + " analyses waiting; wait for one to finish or cancel one");
        }
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        Job job = new Job(HexFormat.of().formatHex(bytes), new Job.Request(experiment, requestText));
        jobs.put(job.id, job);
        line.addLast(job);
        notifyAll();
        return job;
    }

    synchronized Job get(String id) {
        return jobs.get(id);
    }

    /** Cancels a job: a waiting one leaves the line now, a running one stops at its next patching run. */
    synchronized void cancel(Job job) {
        job.cancel();
        if (line.remove(job)) evict();
    }

    /** Jobs waiting in line (not counting the running one). */
    synchronized int waiting() {
        return line.size();
    }

    /** Jobs known (waiting, running, or finished and kept). */
    synchronized int known() {
        return jobs.size();
    }

    /** Forgets the oldest finished jobs while more than {@link #KEPT} of them, or more than {@code keptBytes} of their answers, are kept; the newest stays. */
    private void evict() {
        long finished = 0, bytes = 0;
        for (Job j : jobs.values()) {
            if (j.finished()) {
                finished++;
                bytes += j.keptBytes();
            }
        }
        Iterator<Job> it = jobs.values().iterator();
        while ((finished > KEPT || bytes > keptBytes) && finished > 1 && it.hasNext()) {
            Job j = it.next();
            if (!j.finished()) continue;
            it.remove();
            finished--;
            bytes -= j.keptBytes();
        }
    }

    private void work() {
        while (true) {
            Job job;
            synchronized (this) {
                while (line.isEmpty() && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) return;
                job = line.pollFirst();
            }
            Job.Request request = job.start();
            if (request != null) run(job, request);
            synchronized (this) {
                evict();
            }
        }
    }

    /** Runs one job to its end, whatever is thrown: the job is never left running. */
    private void run(Job job, Job.Request request) {
        Progress progress = (done, total) -> {
            job.stage("patching");
            job.progress(done, total);
            observer.update(done, total);
            if (job.cancelRequested()) throw new CancellationException("cancelled");
        };
        long started = System.nanoTime();
        try {
            ExperimentAnalysis analysis = new ExperimentAnalysis(model, progress);
            Experiment experiment = request.experiment();
            // Checked again now that this job has the heap to itself: the check at submission saw the heap of the job running then.
            analysis.estimate(experiment).requireFitsInHeap("request", model.runtime());
            AnalysisResult result = analysis.run(experiment);
            if (job.cancelRequested()) throw new CancellationException("cancelled");
            job.stage("drawing");
            String html = new ExperimentReport(model).build(result, new ExperimentReport.Provenance(null, request.text(), modelArgument)).bodyHtml();
            job.succeed(html, result.toJson().toString());
        } catch (CancellationException e) {
            job.cancelled();
        } catch (JlensException e) {
            job.fail(Text.oneLine(e.getMessage()));
        } catch (Throwable e) {
            job.fail(failure(e));
            log.internalError("job " + job.id, e);
        }
        log.finished(job, System.nanoTime() - started);
    }

    /** The one line for an unexpected error of a job or a request: out of memory with the heap's size, or the error's class and message. */
    static String failure(Throwable e) {
        if (OutOfMemory.isOrCausedBy(e)) {
            return "out of memory (the server's heap is " + MemoryEstimate.size(Runtime.getRuntime().maxMemory())
                    + "); give the server's JVM more (JLENS_JAVA_OPTS=-Xmx...) or use shorter prompts";
        }
        return "internal error: " + e.getClass().getSimpleName() + ": " + Text.oneLine(String.valueOf(e.getMessage()));
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            jobs.values().forEach(Job::cancel);
            line.clear();
            notifyAll();
        }
        worker.interrupt();
        try {
            worker.join(10_000);
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
