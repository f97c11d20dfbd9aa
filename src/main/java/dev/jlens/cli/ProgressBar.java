package dev.jlens.cli;

import dev.jlens.util.Progress;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A one-line text progress bar on stderr, redrawn in place with {@code \r} (at most ten times a second), drawn only
 * when stderr is a terminal; otherwise it prints nothing. {@link #close()} ends the line if one was drawn.
 */
final class ProgressBar implements Progress, AutoCloseable {
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintStream err;
    private final boolean enabled;
    private final String label;
    private final LongSupplier nanoTime;
    private final java.util.function.LongFunction<String> unit;
    private long lastDraw;
    private String rateUnit;
    private long started = -1;
    private boolean drawn;
    private boolean complete;
    private int lastLength;

    ProgressBar(PrintStream err, boolean enabled, String label, LongSupplier nanoTime) {
        this(err, enabled, label, nanoTime, ProgressBar::bytes);
    }

    private ProgressBar(PrintStream err, boolean enabled, String label, LongSupplier nanoTime, java.util.function.LongFunction<String> unit) {
        this.err = err;
        this.enabled = enabled;
        this.label = label;
        this.nanoTime = nanoTime;
        this.unit = unit;
    }

    /** A bar for a download, counting bytes. */
    static ProgressBar forStreams(Main.Streams streams, String label) {
        return new ProgressBar(streams.err(), streams.errIsTerminal(), label, System::nanoTime);
    }

    /** A bar counting units of work, e.g. the runs of a patching sweep. */
    static ProgressBar counting(Main.Streams streams, String label) {
        return new ProgressBar(streams.err(), streams.errIsTerminal(), label, System::nanoTime, String::valueOf);
    }

    /** A bar counting rows of a dataset job, with their rate and the time left: {@code 12.5 rows/s, ETA 0:42}. */
    static ProgressBar rows(Main.Streams streams, String label) {
        return rows(streams.err(), streams.errIsTerminal(), label, System::nanoTime);
    }

    static ProgressBar rows(PrintStream err, boolean enabled, String label, LongSupplier nanoTime) {
        ProgressBar bar = new ProgressBar(err, enabled, label, nanoTime, String::valueOf);
        bar.rateUnit = "rows";
        return bar;
    }

    @Override
    public void update(long done, long total) {
        if (!enabled || total == 0) return;
        if (started < 0) started = nanoTime.getAsLong();
        boolean finished = total > 0 && done >= total;
        long now = nanoTime.getAsLong();
        if (drawn && !finished && now - lastDraw < REDRAW_NANOS) return;
        if (finished && complete) return;
        lastDraw = now;
        draw(done, total);
        complete = finished;
    }

    private void draw(long done, long total) {
        StringBuilder line = new StringBuilder(label).append(' ');
        if (total > 0) {
            double f = Math.min(1.0, (double) done / total);
            int filled = (int) Math.round(f * WIDTH);
            line.append(String.format(Locale.ROOT, "%3d%% ", (int) Math.floor(f * 100)))
                    .append('[').append("#".repeat(filled)).append(".".repeat(WIDTH - filled)).append("] ")
                    .append(unit.apply(done)).append(" / ").append(unit.apply(total));
        } else {
            line.append(unit.apply(done));
        }
        if (rateUnit != null) line.append(rate(done, total, nanoTime.getAsLong() - started));
        int pad = Math.max(0, lastLength - line.length());
        lastLength = line.length();
        err.print("\r" + line + " ".repeat(pad));
        err.flush();
        drawn = true;
    }

    private String rate(long done, long total, long nanos) {
        if (done <= 0 || nanos <= 0) return "";
        double perSecond = done * 1e9 / nanos;
        String out = String.format(Locale.ROOT, ", %.1f %s/s", perSecond, rateUnit);
        if (total > done) {
            long left = Math.round((total - done) / perSecond);
            out += String.format(Locale.ROOT, ", ETA %d:%02d", left / 60, left % 60);
        }
        return out;
    }

    /** Sizes as the Hub shows them: decimal kB, MB, GB. */
    static String bytes(long n) {
        if (n < 1000) return n + " B";
        String[] units = {"kB", "MB", "GB", "TB"};
        double v = n;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, v < 10 ? "%.1f %s" : "%.0f %s", v, units[u]);
    }

    @Override
    public void close() {
        finish();
    }

    /** Ends the line if one was drawn (so that what follows on stderr starts on a line of its own). */
    void finish() {
        if (drawn) {
            err.println();
            drawn = false;
        }
    }
}
