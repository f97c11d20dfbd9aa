package dev.jlens.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.jlens.JlensException;
import dev.jlens.OutOfMemory;
import dev.jlens.experiment.Experiment;
import dev.jlens.experiment.ExperimentAnalysis;
import dev.jlens.experiment.MemoryEstimate;
import dev.jlens.hub.ModelRegistry;
import dev.jlens.model.HookedTransformer;
import dev.jlens.util.Progress;
import dev.jlens.util.Text;
import dev.jlens.viz.Page;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * jlens' local web UI: type prompts, answers and corrupted prompts, run the seed's analysis and patching
 * sweeps (progress shown, cancellable) and see the report's figures. One loaded model serves every request.
 *
 * <pre>{@code
 * try (JlensServer server = JlensServer.builder(model).port(0).start()) {
 *     System.out.println(server.uri());
 * }
 * }</pre>
 *
 * API (JSON; errors are {@code {"error": "..."}} with a 4xx/5xx status):
 * <ul>
 * <li>{@code GET /api/model}: the model's name and shape, the patching kinds ({@link PatchKindChoices})</li>
 * <li>{@code POST /api/analyze} with an experiment file's fields ({@code prompts}, {@code answers},
 *     {@code corrupted_prompts}, {@code patching}, {@code prepend_bos}): 202 and {@code {"id": ...}}</li>
 * <li>{@code GET /api/jobs/{id}}: state ({@code queued, running, done, failed, cancelled}), progress
 *     ({@code done}/{@code total} patching runs) and, when done, {@code html} (the report's sections) and
 *     {@code result} (the JSON of {@code jlens analyze})</li>
 * <li>{@code DELETE /api/jobs/{id}}: cancels the job (it stops at its next patching run)</li>
 * <li>{@code GET /api/jobs/{id}/result.json} and {@code .../report.html}: a done job's result and its report as a
 *     standalone page, as files to save</li>
 * </ul>
 * Bound to 127.0.0.1 by default. Requests whose Host is not a name of this server ({@link AllowedHosts}: against DNS
 * rebinding, on every address) or whose Origin is another site are refused; bodies above {@link Builder#maxBodyBytes} get 413, and so does an analysis whose estimated
 * memory ({@link MemoryEstimate}) exceeds what the heap has free; an analysis that could not run (a prompt longer than the
 * model's context, answers that are not one token, prompts of unequal lengths, a {@code "model"} other than the served
 * one) gets 400 before it is accepted.
 *
 * <p>The server logs to {@link Builder#log} (stderr from {@code jlens serve}) one line per request that changes
 * something (an analysis submitted, a job cancelled) or fails, and per job's outcome, and the stack trace of every
 * internal error; pages, assets and status polls read while all is well are not logged.
 */
public final class JlensServer implements AutoCloseable {
    public static final int DEFAULT_MAX_BODY = 1 << 20;
    static final int MAX_PROMPTS = 64;
    /** Most of a refused body read (and discarded) before the 413 goes out. */
    private static final long MAX_DRAIN = 64L << 20;
    /** Finished jobs' answers kept together: at most this fraction of the heap. */
    private static final int KEPT_HEAP_FRACTION = 8;
    static final int MAX_READING = 16;
    private static final JsonMapper JSON = JsonMapper.shared();
    private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final HttpServer http;
    private final ExecutorService requests;
    private final Jobs jobs;
    private final StaticAssets assets = new StaticAssets();
    private final HookedTransformer model;
    private final String modelName;
    private final int maxBody;
    private final AllowedHosts allowedHosts;
    /** Analysis requests being read and checked at once; more get 503 at once, so that bodies cannot pile up in the heap. */
    private final Semaphore reading = new Semaphore(MAX_READING);
    private final URI uri;
    private final ServerLog log;

    private JlensServer(Builder b) throws IOException {
        this.model = b.model;
        this.modelName = b.modelName != null ? b.modelName : model.cfg().modelName();
        this.maxBody = b.maxBody;
        InetAddress address = InetAddress.getByName(b.host);
        this.allowedHosts = new AllowedHosts(address.isLoopbackAddress(), b.allowHosts);
        this.log = new ServerLog(b.log);
        this.jobs = new Jobs(model, modelName, b.observer, Runtime.getRuntime().maxMemory() / KEPT_HEAP_FRACTION, log);
        this.http = HttpServer.create(new InetSocketAddress(address, b.port), 64);
        this.requests = Executors.newVirtualThreadPerTaskExecutor();
        http.setExecutor(requests);
        http.createContext("/", this::handle);
        http.start();
        int port = http.getAddress().getPort();
        String host = address.getHostAddress().contains(":") ? "[" + address.getHostAddress() + "]" : address.getHostAddress();
        this.uri = URI.create("http://" + host + ":" + port + "/");
    }

    /** Whether {@code name} is a bare host name or address, as {@link Builder#allowHosts} takes. */
    public static boolean isHostName(String name) {
        return AllowedHosts.isHostName(name);
    }

    public static Builder builder(HookedTransformer model) {
        return new Builder(model);
    }

    /** Where the UI is, e.g. {@code http://127.0.0.1:7860/}. */
    public URI uri() {
        return uri;
    }

    public int port() {
        return http.getAddress().getPort();
    }

    /** Stops accepting requests, cancels the analyses and frees the port. */
    @Override
    public void close() {
        http.stop(0);
        jobs.close();
        requests.shutdownNow();
    }

    // ---- routing ---------------------------------------------------------------------------------------

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String error = null;
            try {
                route(ex);
            } catch (HttpError e) {
                error = e.getMessage();
                sendError(ex, e.status, error);
            } catch (Throwable e) {
                // Any error (out of memory among them) ends this request only; the server goes on serving.
                error = Jobs.failure(e);
                sendError(ex, OutOfMemory.isOrCausedBy(e) ? 503 : 500, error);
                log.internalError(ex.getRequestMethod() + " " + ex.getRequestURI().getRawPath(), e);
            }
            log.request(ex.getRequestMethod(), ex.getRequestURI().getRawPath(), ex.getResponseCode(), error);
        }
    }

    private void route(HttpExchange ex) throws IOException {
        checkHost(ex);
        String method = ex.getRequestMethod();
        String path = ex.getRequestURI().getRawPath();
        if (path.startsWith("/api/")) {
            checkOrigin(ex);
            if (path.equals("/api/model")) {
                requireMethod(method, "GET");
                sendJson(ex, 200, modelInfo());
            } else if (path.equals("/api/analyze")) {
                requireMethod(method, "POST");
                analyze(ex);
            } else if (path.matches("/api/jobs/[0-9a-f]{32}/(result\\.json|report\\.html)")) {
                requireMethod(method, "GET");
                download(ex, path.substring(10, 42), path.substring(43));
            } else if (path.startsWith("/api/jobs/") && path.substring(10).matches("[0-9a-f]{32}")) {
                Job job = jobs.get(path.substring(10));
                if (job == null) throw new HttpError(404, "no job " + path.substring(10) + " (finished jobs are kept for a while only)");
                if (method.equals("GET")) {
                    sendJson(ex, 200, job.json());
                } else if (method.equals("DELETE")) {
                    jobs.cancel(job);
                    sendJson(ex, 202, job.json());
                } else {
                    throw new HttpError(405, "use GET or DELETE on a job");
                }
            } else {
                throw new HttpError(404, "no such API endpoint: " + path);
            }
            return;
        }
        if (!method.equals("GET") && !method.equals("HEAD")) throw new HttpError(405, "only GET is allowed here");
        StaticAssets.Asset asset = assets.find(path).orElseThrow(() -> new HttpError(404, "not found"));
        byte[] body = assets.bytes(asset);
        ex.getResponseHeaders().set("Content-Type", asset.contentType());
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        if (path.equals("/")) {
            ex.getResponseHeaders().set("Content-Security-Policy", CSP);
            ex.getResponseHeaders().set("Referrer-Policy", "no-referrer");
        }
        if (method.equals("HEAD")) {
            ex.sendResponseHeaders(200, -1);
            return;
        }
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    /** A finished job's result (the JSON of {@code jlens analyze}) or report (a standalone page) as a file to save. */
    private void download(HttpExchange ex, String id, String file) throws IOException {
        Job job = jobs.get(id);
        if (job == null) throw new HttpError(404, "no job " + id + " (finished jobs are kept for a while only)");
        if (job.state() != Job.State.DONE) throw new HttpError(409, "job " + id + " is " + job.state().name().toLowerCase(Locale.ROOT) + ", not done");
        var answer = JSON.readTree(job.json());
        byte[] body;
        String type;
        if (file.equals("result.json")) {
            body = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(answer.get("result"));
            type = "application/json; charset=utf-8";
        } else {
            body = Page.standalone("jlens report: " + modelName, answer.get("html").asString()).getBytes(StandardCharsets.UTF_8);
            type = "text/html; charset=utf-8";
        }
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"jlens-" + id.substring(0, 8) + "-" + file + "\"");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private ObjectNode modelInfo() {
        ObjectNode n = JSON.createObjectNode();
        n.put("model", modelName);
        n.put("n_layers", model.cfg().nLayers());
        n.put("n_heads", model.cfg().nHeads());
        n.put("d_model", model.cfg().dModel());
        n.put("n_ctx", model.cfg().nCtx());
        n.set("patching_kinds", PatchKindChoices.json(JSON));
        n.put("max_body_bytes", maxBody);
        n.put("max_prompts", MAX_PROMPTS);
        var saes = n.putArray("saes");
        for (var splice : dev.jlens.sae.Saes.of(model)) {
            saes.addObject().put("hook_name", splice.hookName()).put("d_sae", splice.sae().cfg().dSae()).put("use_error_term", splice.useErrorTerm());
        }
        return n;
    }

    private void analyze(HttpExchange ex) throws IOException {
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw new HttpError(415, "send the analysis request as JSON (Content-Type: application/json)");
        }
        if (!reading.tryAcquire()) {
            try (InputStream in = ex.getRequestBody()) {
                drain(in);
            }
            throw new HttpError(503, "the server is reading " + MAX_READING + " analysis requests already; try again in a moment");
        }
        try {
            submit(ex);
        } finally {
            reading.release();
        }
    }

    private void submit(HttpExchange ex) throws IOException {
        byte[] body = readBody(ex);
        Experiment experiment;
        try {
            experiment = Experiment.parse("request", body);
        } catch (JlensException e) {
            throw new HttpError(400, Text.oneLine(e.getMessage()));
        }
        if (experiment.prompts().size() > MAX_PROMPTS) throw new HttpError(400, "request: at most " + MAX_PROMPTS + " prompts per analysis");
        if (experiment.model() != null && !serves(experiment.model())) {
            String asked = shortName(experiment.model());
            throw new HttpError(400, "request: \"model\" is " + asked + " but this server serves " + shortName(modelName)
                    + "; leave \"model\" out, or start `jlens serve --model " + asked + "` for it");
        }
        if (!experiment.saes().isEmpty()) {
            throw new HttpError(400, "request: \"saes\" is not taken by the web UI (a request would read folders or download SAEs); "
                    + "start `jlens serve --sae SAE` to splice SAEs into every analysis");
        }
        try {
            // Refused here, with the checks and the estimate, rather than failing in the worker after a 202.
            new ExperimentAnalysis(model).estimate(experiment).requireFitsInHeap("request", model.runtime());
        } catch (MemoryEstimate.TooLarge e) {
            throw new HttpError(413, Text.oneLine(e.getMessage()));
        } catch (JlensException e) {
            throw new HttpError(400, Text.oneLine(e.getMessage()));
        }
        Job job;
        try {
            job = jobs.submit(experiment, prettyRequest(new String(body, StandardCharsets.UTF_8)));
        } catch (Jobs.Busy e) {
            throw new HttpError(503, e.getMessage());
        }
        log.accepted(job.id, experiment);
        ex.getResponseHeaders().set("Location", "/api/jobs/" + job.id);
        sendJson(ex, 202, job.json());
    }

    /** A model name short enough for a one-line message. */
    private static String shortName(String name) {
        String line = Text.oneLine(name);
        return line.length() <= 80 ? line : line.substring(0, 77) + "...";
    }

    /** Whether a request's "model" names the served model: its name, the model's own name, or an alias of either. */
    private boolean serves(String requested) {
        for (String name : List.of(modelName, model.cfg().modelName())) {
            if (requested.equalsIgnoreCase(name)) return true;
            var a = ModelRegistry.lookup(requested);
            var b = ModelRegistry.lookup(name);
            if (a.isPresent() && b.isPresent() && a.get().equals(b.get())) return true;
        }
        return false;
    }

    private static String prettyRequest(String body) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(JSON.readTree(body));
        } catch (RuntimeException e) {
            return body;
        }
    }

    private byte[] readBody(HttpExchange ex) throws IOException {
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        long declared;
        try {
            declared = length == null ? -1 : Long.parseLong(length.strip());
        } catch (NumberFormatException e) {
            throw new HttpError(400, "bad Content-Length");
        }
        try (InputStream in = ex.getRequestBody()) {
            if (declared > maxBody) {
                drain(in);
                throw new HttpError(413, "request body larger than " + maxBody + " bytes");
            }
            byte[] bytes = in.readNBytes(maxBody + 1);
            if (bytes.length > maxBody) {
                drain(in);
                throw new HttpError(413, "request body larger than " + maxBody + " bytes");
            }
            return bytes;
        }
    }

    /**
     * Reads and discards what is left of a refused body (nothing is kept), up to a bound: closing a connection with
     * unread data resets it, and the client would see a reset instead of the 413 and its message.
     */
    private static void drain(InputStream in) throws IOException {
        byte[] sink = new byte[64 * 1024];
        long left = MAX_DRAIN;
        int n;
        while (left > 0 && (n = in.read(sink, 0, (int) Math.min(sink.length, left))) > 0) left -= n;
    }

    /** Against DNS rebinding, on whatever address the server listens: see {@link AllowedHosts}. */
    private void checkHost(HttpExchange ex) {
        String host = ex.getRequestHeaders().getFirst("Host");
        if (host == null) throw new HttpError(400, "missing Host header");
        if (!allowedHosts.allows(host)) throw new HttpError(403, allowedHosts.refusal(host));
    }

    /** A browser's cross-site request carries another Origin; only this server's own pages may call the API. */
    private void checkOrigin(HttpExchange ex) {
        String origin = ex.getRequestHeaders().getFirst("Origin");
        if (origin == null) return;
        String host = ex.getRequestHeaders().getFirst("Host");
        if (host == null || !origin.equalsIgnoreCase("http://" + host)) throw new HttpError(403, "cross-origin requests are not allowed");
    }

    private static void requireMethod(String method, String wanted) {
        if (!method.equals(wanted)) throw new HttpError(405, "use " + wanted + " here");
    }

    private static void sendJson(HttpExchange ex, int status, ObjectNode body) throws IOException {
        sendJson(ex, status, JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8));
    }

    private static void sendJson(HttpExchange ex, int status, byte[] bytes) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void sendError(HttpExchange ex, int status, String message) {
        try {
            ObjectNode n = JSON.createObjectNode();
            n.put("error", message);
            sendJson(ex, status, n);
        } catch (IOException | RuntimeException ignored) {
            // the client went away or headers were sent already
        }
    }

    /** An answer other than 200, with its one-line message. */
    static final class HttpError extends RuntimeException {
        final int status;

        HttpError(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    public static final class Builder {
        private final HookedTransformer model;
        private String host = "127.0.0.1";
        private int port = 7860;
        private String modelName;
        private int maxBody = DEFAULT_MAX_BODY;
        private Progress observer = Progress.NONE;
        private List<String> allowHosts = List.of();
        private PrintStream log = System.err;

        private Builder(HookedTransformer model) {
            this.model = model;
        }

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /** 0 picks a free port. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0..65535, got " + port);
            this.port = port;
            return this;
        }

        /** The model's name as the UI and reports show it (default: the model's own name). */
        public Builder modelName(String name) {
            this.modelName = name;
            return this;
        }

        /**
         * Host names the server answers besides the loopback ones (and, off loopback, its address literals): the names
         * other machines reach it by. Each is a bare name, e.g. {@code jlens.lab.example}.
         */
        public Builder allowHosts(List<String> names) {
            for (String n : names) {
                if (!AllowedHosts.isHostName(n)) throw new IllegalArgumentException("not a host name: " + n);
            }
            this.allowHosts = List.copyOf(names);
            return this;
        }

        public Builder maxBodyBytes(int bytes) {
            if (bytes < 1024) throw new IllegalArgumentException("maxBodyBytes must be at least 1024");
            this.maxBody = bytes;
            return this;
        }

        /** Where the server logs its requests, jobs and internal errors (default: stderr). */
        public Builder log(PrintStream log) {
            this.log = java.util.Objects.requireNonNull(log, "log");
            return this;
        }

        /** Told of every patching run of every analysis, on the worker thread (tests slow the sweeps down with it). */
        public Builder progressObserver(Progress observer) {
            this.observer = observer;
            return this;
        }

        public JlensServer start() {
            try {
                return new JlensServer(this);
            } catch (java.net.BindException e) {
                throw new JlensException("cannot listen on " + host + ":" + port + " (" + e.getMessage() + "); pick another --port");
            } catch (IOException e) {
                throw new JlensException("cannot start the web server on " + host + ":" + port + " (" + e.getMessage() + ")");
            }
        }
    }
}
