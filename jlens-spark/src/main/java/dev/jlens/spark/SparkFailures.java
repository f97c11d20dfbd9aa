package dev.jlens.spark;

import dev.jlens.JlensException;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one line to show for a job that failed: the message of the {@link JlensException} a task threw (Spark hands
 * the driver the task's exception, or only its text when the exception could not be sent back), else the first line
 * of the failure.
 */
final class SparkFailures {
    private static final Pattern THROWN = Pattern.compile("dev\\.jlens\\.(?:[a-z]+\\.)*[A-Za-z]+(?:Exception|BadRow): ([^\\n]*)");

    private SparkFailures() {}

    static String message(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof JlensException) return t.getMessage();
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t.getMessage() == null) continue;
            Matcher m = THROWN.matcher(t.getMessage());
            if (m.find()) return m.group(1).strip();
        }
        String text = String.valueOf(failure.getMessage());
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl);
    }
}
