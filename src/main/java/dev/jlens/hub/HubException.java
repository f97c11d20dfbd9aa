package dev.jlens.hub;

import dev.jlens.JlensException;

/**
 * A failure talking to the Hub or using its cache; {@link #kind()} says which, the message says what to do. The
 * message never shows credentials: the user information and query values of URLs in it are redacted
 * ({@link Redaction}), wherever the URL came from (HF_ENDPOINT, a redirect, an error of the HTTP client).
 */
public final class HubException extends JlensException {
    /** What went wrong. */
    public enum Kind {
        /** The repository does not exist, or is private and no (valid) token was sent. */
        REPO_NOT_FOUND,
        /** The repository has no such file at that revision. */
        ENTRY_NOT_FOUND,
        /** The repository has no such branch, tag or commit. */
        REVISION_NOT_FOUND,
        /** 401: a token is needed, or the one sent is not valid. */
        UNAUTHORIZED,
        /** The repository is gated and this account has not been granted access. */
        GATED,
        /** 403: the token has no right to read this. */
        FORBIDDEN,
        /** The Hub could not be reached (connection refused, timed out, 5xx, 429) with retries exhausted. */
        UNREACHABLE,
        /** Offline mode and the model is not in the cache. */
        OFFLINE_NOT_CACHED,
        /** What arrived is not what the Hub announced (sha256, size), or a header is missing or malformed. */
        BAD_CONTENT,
        /** Another HTTP error. */
        HTTP,
        /** The cache could not be written or read. */
        CACHE
    }

    private final Kind kind;

    public HubException(Kind kind, String message) {
        super(Redaction.urls(message));
        this.kind = kind;
    }

    public HubException(Kind kind, String message, Throwable cause) {
        super(Redaction.urls(message), cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
