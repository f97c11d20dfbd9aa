package dev.jlens.hub;

import java.time.Duration;
import java.util.Locale;

/**
 * How long a whole download may take, all its tries together: {@code grace} (for connecting and retrying) plus its
 * bytes at {@code minKilobytesPerSecond}, the slowest rate jlens waits for. The stall timeout ends one try that gets
 * no data; this ends a download that gets data too slowly (a trickle), or starts again too often, to be done.
 */
public record DownloadBudget(double minKilobytesPerSecond, Duration grace) {
    /** 100 kB/s (0.8 Mbit/s) after 2 minutes: gpt2-large's 3.25 GB may take 9 hours, gpt2's 0.55 GB 1.5 hours. */
    public static final DownloadBudget DEFAULT = new DownloadBudget(100, Duration.ofMinutes(2));

    /** The environment variables that set the budget: kB/s (1 kB = 1000 bytes) and seconds. */
    public static final String MIN_RATE_VARIABLE = "JLENS_HUB_DOWNLOAD_MIN_RATE";
    public static final String GRACE_VARIABLE = "JLENS_HUB_DOWNLOAD_GRACE";

    public DownloadBudget {
        if (!(minKilobytesPerSecond > 0) || grace.isNegative()) {
            throw new IllegalArgumentException("a download budget needs a positive rate and a grace of 0 or more");
        }
    }

    /** How long {@code bytes} may take. */
    public Duration allowedFor(long bytes) {
        double millis = bytes / minKilobytesPerSecond;  // bytes / (1000 * kB/s) seconds
        return grace.plusMillis((long) Math.min(Math.ceil(millis), Long.MAX_VALUE / 2_000_000L));
    }

    /** The deadline of a download of {@code bytes} that starts now. */
    public Deadline startNow(long bytes) {
        Duration allowed = allowedFor(bytes);
        return new Deadline(System.nanoTime() + allowed.toNanos(), bytes + " bytes may take " + number(allowed.toMillis() / 1000.0)
                + " s, " + number(grace.toMillis() / 1000.0) + " s + at least " + number(minKilobytesPerSecond) + " kB/s (for a slower link set "
                + MIN_RATE_VARIABLE + " in kB/s and " + GRACE_VARIABLE + " in s)");
    }

    private static String number(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : String.format(Locale.ROOT, "%.1f", d);
    }

    /** When a download must be done, and the rule that says so (for the message when it is not). */
    public record Deadline(long endNanos, String rule) {
        public boolean passed() {
            return System.nanoTime() - endNanos > 0;
        }

        /** What is left of it, at least 1 ms (for a request's timeout). */
        public Duration left() {
            return Duration.ofNanos(Math.max(1_000_000L, endNanos - System.nanoTime()));
        }
    }
}
