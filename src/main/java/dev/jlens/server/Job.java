package dev.jlens.server;

import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.util.RawValue;

import java.util.concurrent.atomic.AtomicBoolean;

/** One analysis request: its state, its progress, and when done its page fragment and result JSON. */
final class Job {
    enum State { QUEUED, RUNNING, DONE, FAILED, CANCELLED }

    final String id;
    final long created = System.nanoTime();
    private final AtomicBoolean cancelRequested = new AtomicBoolean();
    private volatile State state = State.QUEUED;
    private volatile String stage = "queued";
    private volatile long done, total;
    private volatile String error, html;
    private volatile String result;  // the result's JSON text, as the analysis wrote it

    Job(String id) {
        this.id = id;
    }

    State state() {
        return state;
    }

    boolean finished() {
        State s = state;
        return s == State.DONE || s == State.FAILED || s == State.CANCELLED;
    }

    /** Asks the job to stop; a queued job is cancelled at once, a running one at its next progress report. */
    synchronized boolean cancel() {
        if (finished()) return false;
        cancelRequested.set(true);
        if (state == State.QUEUED) state = State.CANCELLED;
        return true;
    }

    boolean cancelRequested() {
        return cancelRequested.get();
    }

    synchronized boolean start() {
        if (state != State.QUEUED) return false;
        state = State.RUNNING;
        stage = "analysing";
        return true;
    }

    void stage(String s) {
        stage = s;
    }

    void progress(long done, long total) {
        this.done = done;
        this.total = total;
    }

    synchronized void succeed(String html, String result) {
        this.html = html;
        this.result = result;
        this.stage = "done";
        this.state = State.DONE;
    }

    synchronized void fail(String message) {
        this.error = message;
        this.stage = "failed";
        this.state = State.FAILED;
    }

    synchronized void cancelled() {
        this.stage = "cancelled";
        this.state = State.CANCELLED;
    }

    /** The job as the API shows it; the page and result only once done. */
    ObjectNode toJson(tools.jackson.databind.json.JsonMapper m) {
        ObjectNode n = m.createObjectNode();
        n.put("id", id);
        n.put("state", state.name().toLowerCase(java.util.Locale.ROOT));
        n.put("stage", stage);
        n.put("done", done);
        n.put("total", total);
        if (error != null) n.put("error", error);
        if (state == State.DONE) {
            n.put("html", html);
            n.putRawValue("result", new RawValue(result));
        }
        return n;
    }
}
