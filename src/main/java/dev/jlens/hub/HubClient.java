package dev.jlens.hub;

import dev.jlens.hub.HubException.Kind;
import dev.jlens.util.Text;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Speaks the Hub's file protocol as huggingface_hub does: {@code HEAD {endpoint}/{repo}/resolve/{revision}/{file}}
 * for a file's metadata (following only relative redirects, e.g. a renamed repo; an absolute redirect is where a
 * large file's content is), then {@code GET} of the content, resumed with {@code Range} (and {@code If-Range}) after
 * a cut connection or a stall, with bounded retries, all within the download's deadline ({@link DownloadBudget}).
 * Redirects are followed by hand, and {@code Authorization: Bearer} goes only to the endpoint's own host, never to
 * the host a redirect leads to.
 */
public final class HubClient implements AutoCloseable {
    /** How often to retry a request that failed without progress, and how long to wait before the first retry. */
    public record Options(int maxRetries, Duration backoff) {
        public static final Options DEFAULT = new Options(5, Duration.ofSeconds(1));
    }

    /** Where a download writes; its position is the number of bytes it holds. */
    public interface Sink {
        long position();

        /** Drops what was written, back to position 0. */
        void restart() throws IOException;

        void write(byte[] bytes, int off, int len) throws IOException;
    }

    private static final int MAX_REDIRECTS = 10;
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
    private static final Pattern AUTHORITY_PORT = Pattern.compile(":(\\d+)$");
    /** The most of a server's own text ({@code X-Error-Message}) a message repeats. */
    private static final int MAX_SERVER_TEXT = 300;
    private static final String USER_AGENT = "jlens/" + version() + "; java/" + Runtime.version().feature();

    private final HubSettings settings;
    private final Options options;
    private final URI endpoint;
    private final HttpClient http;
    private final ScheduledExecutorService watchdog;

    public HubClient(HubSettings settings) {
        this(settings, Options.DEFAULT);
    }

    public HubClient(HubSettings settings, Options options) {
        this.settings = settings;
        this.options = options;
        try {
            this.endpoint = URI.create(settings.endpoint());
        } catch (IllegalArgumentException e) {
            throw new HubException(Kind.HTTP, "HF_ENDPOINT '" + settings.endpoint() + "' is not a URL");
        }
        if (endpoint.getHost() == null || !(endpoint.getScheme().equals("http") || endpoint.getScheme().equals("https"))) {
            throw new HubException(Kind.HTTP, "HF_ENDPOINT '" + settings.endpoint() + "' is not an http(s) URL");
        }
        if (endpoint.getPort() == 0 || endpoint.getPort() > 65535) {
            throw new HubException(Kind.HTTP, "HF_ENDPOINT '" + settings.endpoint() + "' has port " + endpoint.getPort() + ", not between 1 and 65535");
        }
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(settings.etagTimeout())
                .build();
        this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "jlens-hub-watchdog");
            t.setDaemon(true);
            return t;
        });
    }

    public HubSettings settings() {
        return settings;
    }

    /** {@code {endpoint}/{org}/{name}/resolve/{revision}/{file}}, the revision quoted whole, the file by segment. */
    public URI resolveUrl(RepoId repo, String revision, String file) {
        return URI.create(settings.endpoint() + "/" + repo.org() + "/" + repo.name() + "/resolve/"
                + percentEncode(revision, false) + "/" + percentEncode(file, true));
    }

    /** The metadata of a file at a revision; a {@link HubException} names what is missing or wrong. */
    public FileMetadata head(RepoId repo, String revision, String file) {
        URI url = resolveUrl(repo, revision, file);
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpResponse<Void> r = sendWithRetries(request(url, "HEAD", settings.etagTimeout()).build(),
                    HttpResponse.BodyHandlers.discarding(), repo, file);
            int status = r.statusCode();
            Optional<String> location = r.headers().firstValue("Location");
            boolean redirect = status >= 300 && status < 400 && location.isPresent();
            if (redirect) {
                URI target = redirectTarget(url, location.get(), repo + "/" + file);
                if (URI.create(location.get().strip()).getRawAuthority() == null) {  // relative: a renamed repo; follow it
                    url = target;
                    continue;
                }
                return metadata(r.headers(), repo, revision, file, target, true);
            }
            if (status >= 400) throw error(r.statusCode(), r.headers(), repo, revision, file, r.request());
            if (status >= 300) throw new HubException(Kind.BAD_CONTENT, status + " from " + url + " without a Location");
            return metadata(r.headers(), repo, revision, file, url, false);
        }
        throw new HubException(Kind.HTTP, "more than " + MAX_REDIRECTS + " redirects from " + settings.endpoint() + " for " + repo + "/" + file);
    }

    private FileMetadata metadata(HttpHeaders h, RepoId repo, String revision, String file, URI location, boolean redirected) {
        String what = repo + "@" + revision + "/" + file;
        String commit = h.firstValue("X-Repo-Commit").map(String::strip).orElseThrow(() -> new HubException(Kind.BAD_CONTENT,
                settings.endpoint() + " answered for " + what + " without X-Repo-Commit: is HF_ENDPOINT a Hugging Face Hub (or does a proxy drop its headers)?"));
        if (!Revision.isCommitHash(commit)) {
            throw new HubException(Kind.BAD_CONTENT, settings.endpoint() + " sent X-Repo-Commit '" + commit + "' for " + what + ", not a commit hash");
        }
        Optional<String> linked = h.firstValue("X-Linked-Etag");
        String etag = normalizeEtag(linked.or(() -> h.firstValue("ETag")).orElseThrow(() -> new HubException(Kind.BAD_CONTENT,
                settings.endpoint() + " answered for " + what + " without an ETag; cannot tell which blob it is")));
        boolean lfs = linked.isPresent();
        if (lfs && !etag.matches("[0-9a-f]{64}")) {
            throw new HubException(Kind.BAD_CONTENT, settings.endpoint() + " sent X-Linked-Etag '" + etag + "' for " + what + ", not a sha256");
        }
        HubCache.checkEtag(etag);
        Optional<String> sizeHeader = h.firstValue("X-Linked-Size").or(() -> redirected ? Optional.empty() : h.firstValue("Content-Length"));
        long size;
        try {
            size = Long.parseLong(sizeHeader.orElseThrow().strip());
        } catch (RuntimeException e) {
            throw new HubException(Kind.BAD_CONTENT, settings.endpoint() + " answered for " + what + " without its size (X-Linked-Size or Content-Length)");
        }
        if (size < 0) throw new HubException(Kind.BAD_CONTENT, settings.endpoint() + " sent a negative size for " + what);
        return new FileMetadata(repo, file, commit, etag, size, location, lfs);
    }

    /**
     * Downloads the content into {@code sink}, starting at its position (a leftover of an earlier try is resumed),
     * until it holds {@code meta.size()} bytes. {@code position} is told the sink's position as it grows. Never more
     * than {@code meta.size()} bytes are written: a longer body is refused. A try that gets no further than the
     * earlier ones (a server that ignores Range and is cut at the same place) counts as a failure, and after
     * {@code deadline} the download is given up, however it is going.
     */
    public void fetch(FileMetadata meta, Sink sink, LongConsumer position, DownloadBudget.Deadline deadline) {
        String what = meta.repo() + "/" + meta.file();
        String validator = null;
        int failuresInARow = 0;
        int attempts = 0;
        long furthest = sink.position();
        boolean rangeIgnored = false;
        Exception last = null;
        while (true) {
            long pos = sink.position();
            if (pos > meta.size()) {
                restart(sink, what);
                pos = 0;
            }
            if (pos == meta.size()) return;
            if (deadline.passed()) throw tooSlow(meta, pos, deadline);
            attempts++;
            try {
                Response resp = get(meta.location(), pos, validator, meta, deadline);
                try (InputStream body = resp.body) {
                    int status = resp.status;
                    if (status == 200 && pos > 0) {  // the server ignored Range (or If-Range did not match)
                        rangeIgnored = true;
                        restart(sink, what);
                        pos = 0;
                    } else if (status == 206) {
                        Matcher m = CONTENT_RANGE.matcher(resp.headers.firstValue("Content-Range").orElse(""));
                        if (!m.matches() || Long.parseLong(m.group(1)) != pos) {
                            restart(sink, what);  // not the range asked for: start over, without Range
                            throw new IOException("the server answered Range bytes=" + pos + "- with Content-Range '"
                                    + resp.headers.firstValue("Content-Range").orElse("") + "'");
                        }
                    } else if (status == 416) {
                        restart(sink, what);
                        throw new IOException("416 Range Not Satisfiable at byte " + pos);
                    } else if (status != 200) {
                        if (!retryable(status)) throw error(status, resp.headers, meta.repo(), meta.commit(), meta.file(), null);
                        throw new IOException(status + " from " + hostOf(resp.uri));
                    }
                    long length = resp.headers.firstValueAsLong("Content-Length").orElse(-1);
                    if (length > meta.size() - pos) throw tooLong(meta, resp.uri, "its answer has Content-Length " + length + " from byte " + pos);
                    if (validator == null) validator = strongEtag(resp.headers).orElse(null);
                    copy(resp, sink, position, meta, deadline);
                }
                if (sink.position() == meta.size()) return;
                last = new IOException("connection closed at byte " + sink.position() + " of " + meta.size());
            } catch (IOException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HubException(Kind.UNREACHABLE, "download of " + what + " was interrupted", e);
            }
            failuresInARow = sink.position() > furthest ? 1 : failuresInARow + 1;
            furthest = Math.max(furthest, sink.position());
            if (failuresInARow > options.maxRetries() || attempts > 20 * (options.maxRetries() + 1)) {
                throw new HubException(Kind.UNREACHABLE, "download of " + what + " from " + hostOf(meta.location()) + " failed at byte "
                        + sink.position() + " of " + meta.size() + " after " + attempts + " tries (" + describe(last)
                        + (rangeIgnored ? "; the server ignores Range, so every try starts again at byte 0" : "")
                        + "); run the command again to retry", last);
            }
            Duration backoff = options.backoff().multipliedBy(1L << Math.min(failuresInARow - 1, 4));
            sleep(backoff.compareTo(deadline.left()) < 0 ? backoff : deadline.left(), what);
        }
    }

    private HubException tooSlow(FileMetadata meta, long pos, DownloadBudget.Deadline deadline) {
        return new HubException(Kind.UNREACHABLE, meta.repo() + "/" + meta.file() + ": the download from " + hostOf(meta.location())
                + " is too slow: it was at byte " + pos + " of " + meta.size() + " when its time was up: the download's "
                + deadline.rule() + "; run the command again to retry");
    }

    private static HubException tooLong(FileMetadata meta, URI from, String how) {
        return new HubException(Kind.BAD_CONTENT, meta.repo() + "/" + meta.file() + ": " + hostOf(from) + " sends more than the "
                + meta.size() + " bytes the Hub announced (" + (meta.lfs() ? "X-Linked-Size" : "Content-Length") + "): " + how
                + "; refused, nothing was cached");
    }

    private record Response(int status, HttpHeaders headers, InputStream body, URI uri) {}

    /** GET, following redirects by hand (to http(s) URLs only); the token goes only to the endpoint's host. */
    private Response get(URI start, long from, String validator, FileMetadata meta, DownloadBudget.Deadline deadline)
            throws IOException, InterruptedException {
        URI url = start;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            Duration timeout = settings.downloadTimeout().compareTo(deadline.left()) < 0 ? settings.downloadTimeout() : deadline.left();
            HttpRequest.Builder b = request(url, "GET", timeout);
            if (from > 0) {
                b.header("Range", "bytes=" + from + "-");
                if (validator != null) b.header("If-Range", validator);
            }
            HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            int status = r.statusCode();
            Optional<String> location = r.headers().firstValue("Location");
            if (status >= 300 && status < 400 && location.isPresent()) {
                r.body().close();
                url = redirectTarget(url, location.get(), meta.repo() + "/" + meta.file());
                continue;
            }
            return new Response(status, r.headers(), r.body(), url);
        }
        throw new HubException(Kind.HTTP, "more than " + MAX_REDIRECTS + " redirects downloading " + meta.repo() + "/" + meta.file());
    }

    /**
     * Copies the body into the sink, never past the announced size; a stall longer than the download timeout closes
     * the stream (then resumed), and so does the deadline (then given up).
     */
    private void copy(Response resp, Sink sink, LongConsumer position, FileMetadata meta, DownloadBudget.Deadline deadline) throws IOException {
        InputStream body = resp.body;
        long timeoutNanos = settings.downloadTimeout().toNanos();
        long[] lastData = {System.nanoTime()};
        AtomicBoolean stalled = new AtomicBoolean();
        AtomicBoolean overdue = new AtomicBoolean();
        long period = Math.max(10, Math.min(1000, settings.downloadTimeout().toMillis() / 4));
        ScheduledFuture<?> check = watchdog.scheduleAtFixedRate(() -> {
            boolean stop = (System.nanoTime() - lastData[0] > timeoutNanos && stalled.compareAndSet(false, true))
                    || (deadline.passed() && overdue.compareAndSet(false, true));
            if (stop) {
                try {
                    body.close();
                } catch (IOException ignored) {
                    // the reader sees the stream closed either way
                }
            }
        }, period, period, TimeUnit.MILLISECONDS);
        try {
            byte[] buf = new byte[1 << 16];
            int n;
            while (true) {
                try {
                    n = body.read(buf);
                } catch (IOException e) {
                    if (overdue.get()) throw tooSlow(meta, sink.position(), deadline);
                    if (stalled.get()) throw new IOException("no data for " + settings.downloadTimeout().toMillis() + " ms", e);
                    throw e;
                }
                if (n < 0) break;
                lastData[0] = System.nanoTime();
                if (n > meta.size() - sink.position()) throw tooLong(meta, resp.uri, "its body goes on past them");
                try {
                    sink.write(buf, 0, n);
                } catch (IOException e) {
                    throw new HubException(Kind.CACHE, "cannot write " + meta.repo() + "/" + meta.file() + " into the cache: " + describe(e), e);
                }
                position.accept(sink.position());
            }
            if (overdue.get()) throw tooSlow(meta, sink.position(), deadline);
            if (stalled.get()) throw new IOException("no data for " + settings.downloadTimeout().toMillis() + " ms");
        } finally {
            check.cancel(false);
        }
    }

    private <T> HttpResponse<T> sendWithRetries(HttpRequest req, HttpResponse.BodyHandler<T> handler, RepoId repo, String file) {
        int failures = 0;
        while (true) {
            try {
                HttpResponse<T> r = http.send(req, handler);
                if (retryable(r.statusCode()) && failures < options.maxRetries()) {
                    failures++;
                    sleep(options.backoff().multipliedBy(1L << Math.min(failures - 1, 4)), repo + "/" + file);
                    continue;
                }
                return r;
            } catch (ConnectException | HttpConnectTimeoutException e) {
                throw unreachable(repo, e);
            } catch (HttpTimeoutException e) {
                if (++failures > options.maxRetries()) throw unreachable(repo, e);
            } catch (IOException e) {
                if (++failures > options.maxRetries()) throw unreachable(repo, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HubException(Kind.UNREACHABLE, "request to " + settings.endpoint() + " was interrupted", e);
            }
            sleep(options.backoff().multipliedBy(1L << Math.min(failures - 1, 4)), repo + "/" + file);
        }
    }

    private HubException unreachable(RepoId repo, Exception e) {
        return new HubException(Kind.UNREACHABLE, "cannot reach the Hugging Face Hub at " + settings.endpoint() + " for " + repo
                + " (" + describe(e) + "); check the network, or HF_ENDPOINT", e);
    }

    private HttpRequest.Builder request(URI url, String method, Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(url).method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(timeout)
                .header("User-Agent", USER_AGENT)
                .header("Accept-Encoding", "identity");
        if (settings.token() != null && sameOrigin(url, endpoint)) b.header("Authorization", "Bearer " + settings.token());
        return b;
    }

    /**
     * Where a redirect from {@code from} leads, if jlens may follow it: an http(s) URL with a host and a port from 1 to
     * 65535. Anything else is refused with a line naming the redirect; the HTTP client never sees it.
     */
    private static URI redirectTarget(URI from, String location, String what) {
        String loc = location.strip();
        String refused = what + ": " + hostOf(from) + " redirected to '" + loc + "', ";
        URI target;
        try {
            target = from.resolve(new URI(loc));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new HubException(Kind.BAD_CONTENT, refused + "which is not a URL");
        }
        String scheme = target.getScheme() == null ? "" : target.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new HubException(Kind.BAD_CONTENT, refused + "which is not an http(s) URL; jlens downloads only over http(s)");
        }
        if (target.getHost() == null) {  // the URI parser gives no host for an authority it cannot read, e.g. a port past int
            Matcher port = AUTHORITY_PORT.matcher(target.getRawAuthority() == null ? "" : target.getRawAuthority());
            if (port.find()) throw new HubException(Kind.BAD_CONTENT, refused + "whose port " + port.group(1) + " is not between 1 and 65535");
            throw new HubException(Kind.BAD_CONTENT, refused + "which has no host");
        }
        if (target.getPort() == 0 || target.getPort() > 65535) {
            throw new HubException(Kind.BAD_CONTENT, refused + "whose port " + target.getPort() + " is not between 1 and 65535");
        }
        return target;
    }

    /** The one-line error for a 4xx/5xx answer, from its status and the Hub's {@code X-Error-Code}. */
    HubException error(int status, HttpHeaders h, RepoId repo, String revision, String file, HttpRequest req) {
        String code = h.firstValue("X-Error-Code").orElse("");
        String message = serverText(h.firstValue("X-Error-Message").orElse(""));
        String ep = settings.endpoint();
        boolean tokenSent = settings.token() != null;
        String login = "set HF_TOKEN or run huggingface-cli login";
        switch (code) {
            case "RevisionNotFound":
                return new HubException(Kind.REVISION_NOT_FOUND, "revision '" + revision + "' not found in " + repo + " on " + ep
                        + "; give an existing branch, tag or commit with --revision");
            case "EntryNotFound":
                return new HubException(Kind.ENTRY_NOT_FOUND, repo + " has no file " + file + " at revision " + revision + " on " + ep);
            case "GatedRepo":
                return new HubException(Kind.GATED, status + " from " + ep + " for " + repo + ": the repository is gated; accept its conditions at "
                        + ep + "/" + repo + " and " + login + " with a token of that account");
            default:
                break;
        }
        if (status == 401 && message.equals("Invalid credentials in Authorization header")) {
            return new HubException(Kind.UNAUTHORIZED, "401 from " + ep + " for " + repo + ": the token is not valid; "
                    + "set HF_TOKEN to a valid token or run huggingface-cli login");
        }
        if (status == 401) {
            return new HubException(Kind.UNAUTHORIZED, "401 from " + ep + " for " + repo + ": "
                    + (tokenSent ? "the repository does not exist or your token cannot read it; check the name and the token"
                    : "the repository does not exist or is private; if it is private, " + login));
        }
        if (code.equals("RepoNotFound") || (status == 404 && file == null)) {
            return new HubException(Kind.REPO_NOT_FOUND, "repository " + repo + " not found on " + ep + "; check the name"
                    + (tokenSent ? " (or whether your token can read it)" : " (if it is private, " + login + ")"));
        }
        if (status == 403) {
            return new HubException(Kind.FORBIDDEN, "403 from " + ep + " for " + repo + (message.isEmpty() ? "" : ": " + message)
                    + "; make sure your token can read this repository (" + login + ")");
        }
        if (status == 404) {
            return new HubException(Kind.ENTRY_NOT_FOUND, "404 for " + repo + "/" + file + " at revision " + revision + " on " + ep);
        }
        if (retryable(status)) {
            return new HubException(Kind.UNREACHABLE, status + " from " + ep + " for " + repo + (message.isEmpty() ? "" : ": " + message)
                    + "; the Hub is unavailable, try again later");
        }
        return new HubException(Kind.HTTP, status + " from " + ep + " for " + repo + "/" + file + (message.isEmpty() ? "" : ": " + message));
    }

    /** A server's own text as a message may repeat it: one line, short, without the token (a hostile hub may echo it). */
    private String serverText(String text) {
        String t = Text.oneLine(Redaction.without(text, settings.token()));
        return t.length() <= MAX_SERVER_TEXT ? t : t.substring(0, MAX_SERVER_TEXT) + "...";
    }

    private static boolean retryable(int status) {
        return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
    }

    private static void restart(Sink sink, String what) {
        try {
            sink.restart();
        } catch (IOException e) {
            throw new HubException(Kind.CACHE, "cannot write " + what + " into the cache: " + describe(e), e);
        }
    }

    private static void sleep(Duration d, String what) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HubException(Kind.UNREACHABLE, "download of " + what + " was interrupted", e);
        }
    }

    /** {@code W/"abc"} and {@code "abc"} are both {@code abc}, as huggingface_hub names blobs. */
    static String normalizeEtag(String etag) {
        String e = etag.strip();
        if (e.startsWith("W/")) e = e.substring(2);
        if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) e = e.substring(1, e.length() - 1);
        return e;
    }

    private static Optional<String> strongEtag(HttpHeaders h) {
        return h.firstValue("ETag").map(String::strip).filter(e -> !e.startsWith("W/") && !e.isEmpty());
    }

    static boolean sameOrigin(URI a, URI b) {
        return a.getScheme() != null && a.getScheme().equalsIgnoreCase(b.getScheme())
                && a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost())
                && port(a) == port(b);
    }

    private static int port(URI u) {
        if (u.getPort() >= 0) return u.getPort();
        return "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    private static String hostOf(URI u) {
        return u.getScheme() + "://" + u.getRawAuthority();
    }

    /** Percent-encodes as Python's {@code quote}: letters, digits and {@code _.-~} stay (and {@code /} if asked). */
    static String percentEncode(String s, boolean keepSlash) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-' || c == '~'
                    || (keepSlash && c == '/')) {
                sb.append((char) c);
            } else {
                sb.append('%').append(String.format(Locale.ROOT, "%02X", c));
            }
        }
        return sb.toString();
    }

    /** A short human reason for a failure, without exception class names. */
    static String describe(Throwable e) {
        if (e == null) return "no answer";
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof HttpConnectTimeoutException) return "connection timed out";
            if (t instanceof ConnectException) return "connection refused";
            if (t instanceof java.net.UnknownHostException || t instanceof java.nio.channels.UnresolvedAddressException) return "unknown host";
            if (t instanceof HttpTimeoutException) return "no answer in time";
            if (t instanceof javax.net.ssl.SSLException) return "TLS error: " + Text.oneLine(t.getMessage());
            if (t instanceof java.nio.file.AccessDeniedException a) return "permission denied: " + a.getFile();
            if (t instanceof java.nio.file.NoSuchFileException n) return "no such file: " + n.getFile();
            if (t instanceof java.nio.file.FileSystemException f) return Text.oneLine(f.getMessage());
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) return Text.oneLine(t.getMessage());
        }
        return e.getClass().getSimpleName().replaceAll("(Exception|Error)$", "").replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT);
    }

    private static String version() {
        Package p = HubClient.class.getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        return v == null ? "dev" : v;
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
        http.close();
    }
}
