package dev.jlens.server;

import dev.jlens.experiment.Experiment;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.util.RawValue;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One analysis request: its state, its progress, and once finished the API's answer for it, serialized once.
 * The request it carries is let go as soon as the job starts or is cancelled, so a job waiting in line or kept for
 * its result holds no more than it must.
 */
final class Job {
    enum State { QUEUED, RUNNING, DONE, FAILED, CANCELLED }

    /** What a queued job will run: the parsed experiment and the request's text (shown in the report). */
    record Request(Experiment experiment, String text) {}

    final String id;
    private volatile State state = State.QUEUED;
    private volatile String stage = "queued";
    private volatile long done, total;
    private volatile boolean cancelRequested;
    private Request request;
    /** The finished job's answer (with the report's page and the result when done); null until then. */
    private volatile byte[] answer;
    private volatile String error;

    Job(String id, Request request) {
        this.id = id;
        this.request = request;
    }

    State state() {
        return state;
    }

    boolean finished() {
        return answer != null;
    }

    /** Bytes the finished job keeps (its answer); 0 before. */
    long keptBytes() {
        byte[] a = answer;
        return a == null ? 0 : a.length;
    }

    /** Asks the job to stop: a queued job ends cancelled at once (its request dropped), a running one at its next progress report. */
    synchronized void cancel() {
        if (finished()) return;
        cancelRequested = true;
        if (state == State.QUEUED) end(State.CANCELLED, null, null, null);
    }

    boolean cancelRequested() {
        return cancelRequested;
    }

    /** Marks the job running and hands over its request; null when it was cancelled meanwhile. */
    synchronized Request start() {
        if (state != State.QUEUED) return null;
        state = State.RUNNING;
        stage = "analyzing";
        Request r = request;
        request = null;
        return r;
    }

    void stage(String s) {
        stage = s;
    }

    void progress(long done, long total) {
        this.done = done;
        this.total = total;
    }

    synchronized void succeed(String html, String resultJson) {
        end(State.DONE, null, html, resultJson);
    }

    synchronized void fail(String message) {
        end(State.FAILED, message, null, null);
    }

    synchronized void cancelled() {
        end(State.CANCELLED, null, null, null);
    }

    private void end(State to, String error, String html, String resultJson) {
        if (finished()) return;
        request = null;
        this.error = error;
        String name = to.name().toLowerCase(Locale.ROOT);
        // The answer first: a reader that sees the final state also sees its page and result.
        answer = toJson(name, name, error, html, resultJson).toString().getBytes(StandardCharsets.UTF_8);
        stage = name;
        state = to;
    }

    /** Why the job failed; null unless it did. */
    String error() {
        return error;
    }

    long done() {
        return done;
    }

    long total() {
        return total;
    }

    /** The job as the API shows it; the page and result only once done. */
    byte[] json() {
        byte[] a = answer;
        if (a != null) return a;
        return toJson(state.name().toLowerCase(Locale.ROOT), stage, null, null, null).toString().getBytes(StandardCharsets.UTF_8);
    }

    private ObjectNode toJson(String state, String stage, String error, String html, String resultJson) {
        ObjectNode n = JsonMapper.shared().createObjectNode();
        n.put("id", id);
        n.put("state", state);
        n.put("stage", stage);
        n.put("done", done);
        n.put("total", total);
        if (error != null) n.put("error", error);
        if (html != null) {
            n.put("html", html);
            n.putRawValue("result", new RawValue(resultJson));
        }
        return n;
    }
}
