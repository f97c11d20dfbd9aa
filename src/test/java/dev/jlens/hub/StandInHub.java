package dev.jlens.hub;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A stand-in for the Hugging Face Hub on 127.0.0.1 (random ports), speaking the protocol huggingface_hub speaks:
 * {@code HEAD/GET /{org}/{name}/resolve/{revision}/{file}} with {@code X-Repo-Commit}, {@code ETag} (git blob sha1)
 * for small files, and for large (LFS) files a 302 to a second server (the "CDN", another host:port) with
 * {@code X-Linked-Etag} (sha256) and {@code X-Linked-Size}; errors with {@code X-Error-Code} RepoNotFound,
 * RevisionNotFound, EntryNotFound, GatedRepo, and 401 "Invalid credentials in Authorization header"; relative 307
 * for a renamed repo; Range and If-Range. It can cut a connection or stall after N bytes (once or every time), lie
 * about a sha256, count requests, and be stopped; and act as a hostile hub: send a body longer than it announced,
 * trickle a body slowly, redirect to any Location, and echo text back in {@code X-Error-Message}.
 */
public final class StandInHub implements AutoCloseable {
    /** One request as either server saw it. */
    public record Request(String server, String method, String path, String range, String authorization, String ifRange) {}

    /** A repository: commits of folders, branches and tags, and who may read it. */
    public final class Repo {
        final String id;
        final Map<String, Map<String, byte[]>> commits = new ConcurrentHashMap<>();
        final Map<String, String> refs = new ConcurrentHashMap<>();
        volatile String token;
        volatile boolean gated;

        Repo(String id) {
            this.id = id;
        }

        /** Points branch or tag {@code ref} at a new commit holding the files of {@code folder}. */
        public Repo ref(String ref, Path folder) {
            String sha = hex("SHA-1", (id + "\n" + ref + "\n" + folder).getBytes(StandardCharsets.UTF_8));
            commits.put(sha, readFolder(folder));
            refs.put(ref, sha);
            return this;
        }

        /** Private: readable only with this token. */
        public Repo token(String t) {
            token = t;
            validTokens.add(t);
            return this;
        }

        /** Gated: readable only with this token (others get GatedRepo). */
        public Repo gated(String t) {
            gated = true;
            return token(t);
        }

        public String commit(String ref) {
            return refs.get(ref);
        }

        public String commit() {
            return commit("main");
        }

        public Repo without(String ref, String file) {
            commits.get(refs.get(ref)).remove(file);
            return this;
        }
    }

    private static final Map<Path, Map<String, byte[]>> FOLDERS = new ConcurrentHashMap<>();
    private static final Set<String> LFS_SUFFIXES = Set.of(".safetensors", ".bin", ".pt", ".h5", ".msgpack");

    private final HttpServer hub;
    private final HttpServer cdn;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "stand-in-hub");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Repo> repos = new ConcurrentHashMap<>();
    private final Map<String, String> renamed = new ConcurrentHashMap<>();
    private final Map<String, byte[]> cdnBlobs = new ConcurrentHashMap<>();
    private final Map<String, String> cdnFileNames = new ConcurrentHashMap<>();
    private final Set<String> validTokens = ConcurrentHashMap.newKeySet();
    private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Long> cutOnce = new ConcurrentHashMap<>();
    private final Map<String, Long> stallOnce = new ConcurrentHashMap<>();
    private final Map<String, Long> cutAlways = new ConcurrentHashMap<>();
    private final Map<String, Overlong> overlong = new ConcurrentHashMap<>();
    private final Map<String, Trickle> trickles = new ConcurrentHashMap<>();
    private final Map<String, String> headRedirects = new ConcurrentHashMap<>();
    private final Map<String, String> cdnRedirects = new ConcurrentHashMap<>();
    private volatile String errorMessage;
    private final Set<String> lies = ConcurrentHashMap.newKeySet();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean ignoreRange;
    private volatile int failNextWith;
    private volatile boolean running;

    private StandInHub() throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        hub = HttpServer.create(new InetSocketAddress(loopback, 0), 0);
        cdn = HttpServer.create(new InetSocketAddress(loopback, 0), 0);
        hub.createContext("/", this::handleHub);
        cdn.createContext("/", this::handleCdn);
        hub.setExecutor(pool);
        cdn.setExecutor(pool);
        hub.start();
        cdn.start();
        running = true;
    }

    public static StandInHub start() {
        try {
            return new StandInHub();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String endpoint() {
        return "http://127.0.0.1:" + hub.getAddress().getPort();
    }

    /** The environment of a jlens run against this hub: its endpoint, this cache, no token, short timeouts. */
    public Map<String, String> environment(Path cache, Path tmp) {
        return new java.util.HashMap<>(Map.of("HF_ENDPOINT", endpoint(), "HF_HUB_CACHE", cache.toString(),
                "HF_TOKEN_PATH", tmp.resolve("no-token").toString(), "HF_HUB_DOWNLOAD_TIMEOUT", "5"));
    }

    public String cdnEndpoint() {
        return "http://127.0.0.1:" + cdn.getAddress().getPort();
    }

    /** A repo whose main branch holds the files of {@code folder}. */
    public Repo repo(String id, Path folder) {
        Repo r = new Repo(id).ref("main", folder);
        repos.put(id, r);
        return r;
    }

    /** Requests for {@code oldId} answer 307 (relative) to the same path under {@code newId}. */
    public void rename(String oldId, String newId) {
        renamed.put(oldId, newId);
    }

    public void validToken(String t) {
        validTokens.add(t);
    }

    /** The next download of {@code file} (hub or CDN) is cut after {@code bytes} bytes of its body. */
    public void cutOnce(String file, long bytes) {
        cutOnce.put(file, bytes);
    }

    /** The next download of {@code file} sends {@code bytes} bytes, then nothing until the server stops. */
    public void stallOnce(String file, long bytes) {
        stallOnce.put(file, bytes);
    }

    /** Every download of {@code file} (hub or CDN) is cut after {@code bytes} bytes of its body. */
    public void cutAlways(String file, long bytes) {
        cutAlways.put(file, bytes);
    }

    private record Overlong(long extra, boolean announced) {}

    /**
     * Downloads of {@code file} send {@code extra} bytes more than its content: with a Content-Length that says so
     * ({@code announced}), or chunked, without any length.
     */
    public void overlong(String file, long extra, boolean announced) {
        overlong.put(file, new Overlong(extra, announced));
    }

    private record Trickle(int bytes, long everyMillis) {}

    /** Downloads of {@code file} send {@code bytes} bytes every {@code everyMillis} ms: never a stall, never done soon. */
    public void trickle(String file, int bytes, long everyMillis) {
        trickles.put(file, new Trickle(bytes, everyMillis));
    }

    /** The hub's HEAD of the large file {@code file} redirects to {@code location} instead of the CDN (null: to the CDN again). */
    public void headRedirectsTo(String file, String location) {
        if (location == null) headRedirects.remove(file);
        else headRedirects.put(file, location);
    }

    /** The CDN answers a GET of the large file {@code file} with a redirect to {@code location} (null: with the content again). */
    public void cdnRedirectsTo(String file, String location) {
        if (location == null) cdnRedirects.remove(file);
        else cdnRedirects.put(file, location);
    }

    /** Every error the hub answers carries this X-Error-Message (e.g. one that echoes the request's token). */
    public void errorMessage(String message) {
        errorMessage = message;
    }

    /** Announces a wrong sha256 (X-Linked-Etag) for {@code file}. */
    public void lieAboutSha256(String file) {
        lies.add(file);
    }

    /** Answers Range requests with the whole content (200), as some proxies do. */
    public void ignoreRange(boolean on) {
        ignoreRange = on;
    }

    /** The next request to the hub server answers this status (e.g. 503) without a body. */
    public void failNextWith(int status) {
        failNextWith = status;
    }

    public List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    public int requestCount() {
        return requests.size();
    }

    public long count(String server, String method) {
        return requests().stream().filter(r -> r.server().equals(server) && r.method().equals(method)).count();
    }

    public void clearRequests() {
        requests.clear();
    }

    public static String sha256(byte[] b) {
        return hex("SHA-256", b);
    }

    /** git's blob id: sha1 of "blob {size}\0" + content. */
    public static String gitSha1(byte[] b) {
        byte[] header = ("blob " + b.length + "\0").getBytes(StandardCharsets.US_ASCII);
        byte[] all = Arrays.copyOf(header, header.length + b.length);
        System.arraycopy(b, 0, all, header.length, b.length);
        return hex("SHA-1", all);
    }

    public static boolean isLfs(String file) {
        return LFS_SUFFIXES.stream().anyMatch(file::endsWith);
    }

    // ----------------------------------------------------------------------------------------------------------

    private void handleHub(HttpExchange ex) throws IOException {
        try (ex) {
            record(ex, "hub");
            int fail = failNextWith;
            if (fail != 0) {
                failNextWith = 0;
                if (errorMessage != null) ex.getResponseHeaders().set("X-Error-Message", errorMessage);
                send(ex, fail, -1);
                return;
            }
            String[] parts = ex.getRequestURI().getRawPath().split("/", 6);  // "", org, name, "resolve", rev, file
            if (parts.length < 6 || !parts[3].equals("resolve")) {
                send(ex, 404, -1);
                return;
            }
            String id = decode(parts[1]) + "/" + decode(parts[2]);
            if (renamed.containsKey(id)) {
                ex.getResponseHeaders().set("Location", "/" + renamed.get(id) + "/resolve/" + parts[4] + "/" + parts[5]);
                send(ex, 307, -1);
                return;
            }
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            String token = auth != null && auth.startsWith("Bearer ") ? auth.substring(7) : null;
            if (auth != null && (token == null || !validTokens.contains(token))) {
                error(ex, 401, null, "Invalid credentials in Authorization header");
                return;
            }
            Repo repo = repos.get(id);
            if (repo == null || (repo.token != null && !repo.gated && !repo.token.equals(token))) {
                error(ex, token == null ? 401 : 404, "RepoNotFound", "Repository not found");
                return;
            }
            if (repo.gated && !repo.token.equals(token)) {
                error(ex, token == null ? 401 : 403, "GatedRepo", "Access to model " + id + " is restricted.");
                return;
            }
            String revision = decode(parts[4]);
            String commit = repo.refs.getOrDefault(revision, repo.commits.containsKey(revision) ? revision : null);
            if (commit == null) {
                error(ex, 404, "RevisionNotFound", "Invalid rev id: " + revision);
                return;
            }
            String file = decode(parts[5]);
            byte[] content = repo.commits.get(commit).get(file);
            Headers h = ex.getResponseHeaders();
            h.set("X-Repo-Commit", commit);
            if (content == null) {
                error(ex, 404, "EntryNotFound", "Entry not found");
                return;
            }
            if (isLfs(file)) {
                String sha = sha256(content);
                cdnBlobs.put(sha, content);
                cdnFileNames.put(sha, file);
                String announced = lies.contains(file) ? sha256((file + " is not this").getBytes(StandardCharsets.UTF_8)) : sha;
                h.set("X-Linked-Etag", "\"" + announced + "\"");
                h.set("X-Linked-Size", Long.toString(content.length));
                h.set("ETag", "\"" + gitSha1(("version https://git-lfs.github.com/spec/v1\noid sha256:" + sha + "\nsize " + content.length + "\n").getBytes(StandardCharsets.UTF_8)) + "\"");
                h.set("Location", headRedirects.getOrDefault(file,
                        cdnEndpoint() + "/blobs/" + sha + "?X-Amz-Signature=stand-in&response-content-disposition=" + file));
                send(ex, 302, -1);
                return;
            }
            serveContent(ex, content, "\"" + gitSha1(content) + "\"", file);
        }
    }

    private void handleCdn(HttpExchange ex) throws IOException {
        try (ex) {
            record(ex, "cdn");
            String path = ex.getRequestURI().getPath();
            byte[] content = path.startsWith("/blobs/") ? cdnBlobs.get(path.substring(7)) : null;
            if (content == null) {
                send(ex, 404, -1);
                return;
            }
            String sha = path.substring(7);
            String redirect = cdnRedirects.get(cdnFileNames.get(sha));
            if (redirect != null) {
                ex.getResponseHeaders().set("Location", redirect);
                send(ex, 302, -1);
                return;
            }
            serveContent(ex, content, "\"cdn-" + sha.substring(0, 16) + "\"", cdnFileNames.get(sha));
        }
    }

    private void serveContent(HttpExchange ex, byte[] content, String etag, String file) throws IOException {
        Headers h = ex.getResponseHeaders();
        h.set("ETag", etag);
        h.set("Accept-Ranges", "bytes");
        String range = ex.getRequestHeaders().getFirst("Range");
        String ifRange = ex.getRequestHeaders().getFirst("If-Range");
        long from = 0;
        int status = 200;
        if (range != null && !ignoreRange && (ifRange == null || ifRange.equals(etag)) && range.matches("bytes=\\d+-")) {
            from = Long.parseLong(range.substring(6, range.length() - 1));
            if (from >= content.length) {
                h.set("Content-Range", "bytes */" + content.length);
                send(ex, 416, -1);
                return;
            }
            status = 206;
            h.set("Content-Range", "bytes " + from + "-" + (content.length - 1) + "/" + content.length);
        }
        long length = content.length - from;
        if (ex.getRequestMethod().equals("HEAD")) {
            h.set("Content-Length", Long.toString(length));
            send(ex, status, -1);
            return;
        }
        if (!ex.getRequestMethod().equals("GET")) {
            send(ex, 405, -1);
            return;
        }
        Long cut = file == null ? null : cutOnce.remove(file);
        if (cut == null && file != null) cut = cutAlways.get(file);
        Long stall = file == null ? null : stallOnce.remove(file);
        Overlong more = file == null ? null : overlong.get(file);
        Trickle trickle = file == null ? null : trickles.get(file);
        if (more != null) {
            ex.sendResponseHeaders(status, more.announced() ? length + more.extra() : 0);  // 0: chunked, no length
            OutputStream out = ex.getResponseBody();
            out.write(content, (int) from, (int) length);
            byte[] zeros = new byte[1 << 16];
            for (long left = more.extra(); left > 0; left -= zeros.length) out.write(zeros, 0, (int) Math.min(left, zeros.length));
            return;
        }
        send(ex, status, length);
        OutputStream out = ex.getResponseBody();
        if (trickle != null) {
            for (long at = from; at < content.length && running; at += trickle.bytes()) {
                out.write(content, (int) at, (int) Math.min(trickle.bytes(), content.length - at));
                out.flush();
                try {
                    Thread.sleep(trickle.everyMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("stand-in hub: stopped while trickling");
                }
            }
            return;
        }
        if (cut != null || stall != null) {
            long n = Math.min(length, cut != null ? cut : stall);
            out.write(content, (int) from, (int) n);
            out.flush();
            if (stall != null) {
                try {
                    stopped.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            throw new IOException("stand-in hub: connection cut on purpose");  // the server drops the connection
        }
        out.write(content, (int) from, (int) length);
    }

    private void error(HttpExchange ex, int status, String code, String message) throws IOException {
        if (code != null) ex.getResponseHeaders().set("X-Error-Code", code);
        ex.getResponseHeaders().set("X-Error-Message", errorMessage != null ? errorMessage : message);
        send(ex, status, -1);
    }

    private static void send(HttpExchange ex, int status, long length) throws IOException {
        ex.sendResponseHeaders(status, length == 0 ? -1 : length);
    }

    private void record(HttpExchange ex, String server) {
        requests.add(new Request(server, ex.getRequestMethod(), ex.getRequestURI().getRawPath(),
                ex.getRequestHeaders().getFirst("Range"), ex.getRequestHeaders().getFirst("Authorization"),
                ex.getRequestHeaders().getFirst("If-Range")));
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static Map<String, byte[]> readFolder(Path folder) {
        Map<String, byte[]> files = FOLDERS.computeIfAbsent(folder.toAbsolutePath().normalize(), f -> {
            Map<String, byte[]> out = new TreeMap<>();
            try (Stream<Path> s = Files.walk(f)) {
                for (Path p : s.filter(Files::isRegularFile).toList()) out.put(f.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out;
        });
        return new ConcurrentHashMap<>(new LinkedHashMap<>(files));
    }

    private static String hex(String algorithm, byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public boolean running() {
        return running;
    }

    /** Stops both servers: afterwards nothing answers on their ports. */
    public void stop() {
        if (!running) return;
        running = false;
        stopped.countDown();
        hub.stop(0);
        cdn.stop(0);
        pool.shutdownNow();
    }

    @Override
    public void close() {
        stop();
    }
}
