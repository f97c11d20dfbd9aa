package dev.jlens.hub;

import dev.jlens.JlensException;

import java.util.regex.Pattern;

/**
 * Revisions of a repository: a branch or tag name ({@code main}, {@code v1.0}, {@code refs/pr/1}) or a commit
 * hash. A revision names a file under {@code refs/} in the cache, so it is checked to stay there.
 */
public final class Revision {
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._+-]+(?:/[A-Za-z0-9._+-]+)*");

    private Revision() {}

    /** A full commit hash, as the Hub sends in {@code X-Repo-Commit} and names snapshot folders by. */
    public static boolean isCommitHash(String revision) {
        return revision != null && COMMIT.matcher(revision).matches();
    }

    /** Returns the revision if it is a usable branch, tag or commit name; else a one-line error. */
    public static String check(String revision) {
        if (revision == null || revision.isEmpty() || revision.length() > 255 || !NAME.matcher(revision).matches()
                || revision.startsWith("/") || revision.endsWith(".lock")
                || java.util.Arrays.stream(revision.split("/")).anyMatch(p -> p.equals(".") || p.equals(".."))) {
            throw new JlensException("'" + revision + "' is not a valid revision (a branch, tag or commit hash such as main, v1.0 or refs/pr/1)");
        }
        return revision;
    }
}
