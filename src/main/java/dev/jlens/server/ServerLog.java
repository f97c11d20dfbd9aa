package dev.jlens.server;

import dev.jlens.util.Text;
import dev.jlens.experiment.Experiment;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The server's log: one line per request that changes something or fails and per job's outcome, prefixed
 * {@code jlens serve:}, and the stack trace of an internal error. What is only read while all is well (a page, an
 * asset, the model's facts, a job's status polled every quarter second) is not worth a line each.
 */
final class ServerLog {
    private final PrintStream out;

    ServerLog(PrintStream out) {
        this.out = out;
    }

    void request(String method, String path, int status, String error) {
        boolean quiet = status < 400 && (method.equals("GET") || method.equals("HEAD"));
        if (quiet) return;
        line(method + " " + path + " " + status + (error != null ? ": " + Text.oneLine(error) : ""));
    }

    void accepted(String id, Experiment e) {
        line("job " + id + " queued: " + e.prompts().size() + " prompt" + (e.prompts().size() == 1 ? "" : "s")
                + (e.patching().isEmpty() ? "" : ", patching " + String.join(" ", e.patching().stream().map(k -> k.id()).toList())));
    }

    void finished(Job job, long nanos) {
        String took = String.format(Locale.ROOT, " after %.1f s", nanos / 1e9);
        line(switch (job.state()) {
            case DONE -> "job " + job.id + " done" + took;
            case CANCELLED -> "job " + job.id + " cancelled" + took + " (" + job.done() + " of " + job.total() + " patching runs)";
            case FAILED -> "job " + job.id + " failed" + took + ": " + job.error();
            default -> "job " + job.id + " " + job.state().name().toLowerCase(Locale.ROOT) + took;
        });
    }

    void internalError(String where, Throwable e) {
        synchronized (out) {
            line("internal error in " + where + ":");
            e.printStackTrace(out);
            out.flush();
        }
    }

    private void line(String text) {
        synchronized (out) {
            out.println("jlens serve: " + text);
            out.flush();
        }
    }
}
