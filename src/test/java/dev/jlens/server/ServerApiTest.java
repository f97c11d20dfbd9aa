package dev.jlens.server;

import dev.jlens.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The web UI's HTTP API and its guards, on fixture A, through a real socket on 127.0.0.1. */
class ServerApiTest {
    static final String IOI = "{\"prompts\": [\"When John and Mary went to the shops, John gave the bag to\"], \"answers\": [[\" Mary\", \" John\"]],"
            + " \"corrupted_prompts\": [\"When John and Mary went to the shops, Mary gave the bag to\"], \"patching\": [\"%s\"]}";

    /** Milliseconds each patching run is held up by (0: full speed). */
    static final AtomicLong delay = new AtomicLong();
    static final AtomicInteger runsSeen = new AtomicInteger();
    /** Thrown by the next patching run, as a worker's error would be (null: none). */
    static final java.util.concurrent.atomic.AtomicReference<Error> failNextRun = new java.util.concurrent.atomic.AtomicReference<>();
    static JlensServer server;
    static HttpClient client;

    @BeforeAll
    static void start() {
        server = JlensServer.builder(Fixtures.model("a")).port(0).modelName("tiny-gpt2-a").progressObserver((done, total) -> {
            runsSeen.incrementAndGet();
            Error failure = failNextRun.getAndSet(null);
            // An out-of-memory error arrives wrapped, as a parallel kernel's does; any other error as it is.
            if (failure instanceof OutOfMemoryError) throw new java.util.concurrent.CompletionException(failure);
            if (failure != null) throw failure;
            long ms = delay.get();
            if (ms > 0) {
                try {
                    Thread.sleep(ms);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }).start();
        client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return client.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpRequest.Builder at(String path) {
        return HttpRequest.newBuilder(server.uri().resolve(path));
    }

    static JsonNode json(HttpResponse<String> r) {
        return JsonMapper.shared().readTree(r.body());
    }

    static HttpResponse<String> post(String body) throws Exception {
        return send(at("/api/analyze").header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    static JsonNode waitFor(String id, java.util.function.Predicate<JsonNode> until) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode job = json(send(at("/api/jobs/" + id)));
            if (until.test(job)) return job;
            Thread.sleep(20);
        }
        throw new AssertionError("job " + id + " did not get there in time");
    }

    /** A raw request line, so that the path reaches the server exactly as written. */
    static String raw(String requestLine) throws IOException {
        try (Socket s = new Socket(server.uri().getHost(), server.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write((requestLine + "\r\nHost: 127.0.0.1:" + server.port() + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void servesTheUiAndItsAssetsFromTheJar() throws Exception {
        HttpResponse<String> page = send(at("/"));
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("Content-Security-Policy").orElse("")).contains("default-src 'self'");
        assertThat(page.body()).contains("/assets/echarts.min.js").doesNotContain("http://").doesNotContain("https://");
        for (String asset : new String[] {"/assets/echarts.min.js", "/assets/jlens-figures.js", "/assets/app.js", "/assets/jlens.css", "/assets/app.css"}) {
            assertThat(send(at(asset)).statusCode()).as(asset).isEqualTo(200);
        }
    }

    @Test
    void pathTraversalAndUnlistedFilesAre404() throws Exception {
        for (String path : new String[] {"/../pom.xml", "/assets/../../pom.xml", "/assets/..%2f..%2fpom.xml", "/assets/%2e%2e/%2e%2e/pom.xml",
                "/dev/jlens/viz/echarts.min.js", "/assets/", "/assets/echarts.min.js/../app.js", "/index.html", "//etc/passwd",
                "/assets/app.js%00.css", "/META-INF/MANIFEST.MF", "/dev/jlens/version.properties"}) {
            String response = raw("GET " + path + " HTTP/1.1");
            assertThat(response).as(path).startsWith("HTTP/1.1 404").doesNotContain("<project").doesNotContain("root:");
        }
        // a path the JDK's server cannot even parse is refused before it reaches jlens
        assertThat(raw("GET /assets/..\\..\\pom.xml HTTP/1.1")).startsWith("HTTP/1.1 400").doesNotContain("<project");
        assertThat(send(at("/nothing-here")).statusCode()).isEqualTo(404);
        assertThat(json(send(at("/nothing-here"))).get("error").asString()).isEqualTo("not found");
    }

    /**
     * Traversals as scanners send them: percent-encoded in upper and lower case, double-encoded, overlong UTF-8, with
     * backslashes (raw and encoded), doubled slashes, {@code ;} parameters and NULs, and in the absolute form of the
     * request line. None reaches a file: each is a 404 (or a 400 from the JDK's parser) that shows no file's content,
     * while a listed asset is served, so the check cannot pass by everything failing.
     */
    @Test
    void encodedAndDisguisedTraversalsAreRefused() throws Exception {
        String[] paths = {"/assets/%2e%2e%2f%2e%2e%2fpom.xml", "/assets/%2E%2E%2F%2E%2E%2Fpom.xml", "/%2e%2e%2fpom.xml", "/%2e%2e/pom.xml",
                "/assets/.%2e/.%2e/pom.xml", "/assets/%2e./%2e./pom.xml", "/assets/%252e%252e%252f%252e%252e%252fpom.xml",
                "/assets/..%252f..%252fpom.xml", "/assets/%c0%ae%c0%ae/%c0%ae%c0%ae/pom.xml", "/assets/..%c0%af..%c0%afpom.xml",
                "/assets/..%5c..%5cpom.xml", "/assets/%5c..%5c..%5cpom.xml", "/assets//../../pom.xml", "//assets/app.js/../../pom.xml",
                "///etc/passwd", "/%2fetc%2fpasswd", "/assets/..;/..;/pom.xml", "/assets/app.js%2f..%2f..%2fpom.xml",
                "/assets/%00/../../pom.xml", "/./pom.xml", "/assets/./app.js/../../../../etc/passwd", "/.git/config", "/pom.xml",
                "/file:///etc/passwd", "/assets/app.js/", "/ASSETS/APP.JS", "/assets/app.js.", "/assets/app.js%20",
                "/..\\pom.xml", "/assets\\..\\..\\pom.xml", "\\..\\pom.xml"};
        for (String path : paths) assertRefusedWithoutContent(raw("GET " + path + " HTTP/1.1"), path);
        String absolute = "http://127.0.0.1:" + server.port() + "/assets/../../pom.xml";
        assertRefusedWithoutContent(raw("GET " + absolute + " HTTP/1.1"), absolute);
        assertThat(raw("GET /assets/app.js HTTP/1.1")).startsWith("HTTP/1.1 200");
    }

    private static void assertRefusedWithoutContent(String response, String path) {
        assertThat(response).as(path).matches("(?s)HTTP/1\\.1 (404|400) .*").doesNotContain("<project").doesNotContain("root:")
                .doesNotContain("[core]").doesNotContain("modelVersion");
    }

    @Test
    void modelInfo() throws Exception {
        JsonNode info = json(send(at("/api/model")));
        assertThat(info.get("model").asString()).isEqualTo("tiny-gpt2-a");
        assertThat(info.get("n_layers").asInt()).isEqualTo(4);
        assertThat(info.get("n_heads").asInt()).isEqualTo(4);
        assertThat(info.get("patching_kinds").toString()).contains("resid_pre").contains("block_every");
    }

    @Test
    void runsAnAnalysisToItsFiguresAndResult() throws Exception {
        HttpResponse<String> r = post(IOI.formatted("resid_pre"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        String id = json(r).get("id").asString();
        assertThat(id).matches("[0-9a-f]{32}");
        JsonNode job = waitFor(id, j -> !j.get("state").asString().matches("queued|running"));
        assertThat(job.get("state").asString()).as(job.toString()).isEqualTo("done");
        assertThat(job.get("done").asLong()).isEqualTo(job.get("total").asLong()).isEqualTo(4L * 15);
        String html = job.get("html").asString();
        assertThat(html).contains("id=\"per-head\"").contains("id=\"logit-lens\"").contains("id=\"attention-top-positive\"")
                .contains("id=\"patching-resid_pre\"").doesNotContain("<script>").doesNotContain("echarts.min");
        JsonNode result = job.get("result");
        assertThat(result.get("patching").get("resid_pre").get("shape").toString()).isEqualTo("[4,15]");
        // the same numbers as jlens analyze (the fixture's reference, within its tolerance)
        JsonNode ref = Fixtures.reference("a").get("cases").get("ioi");
        assertThat(result.get("tokens").get(0)).isEqualTo(ref.get("tokens").get(0));
    }

    @Test
    void cancellingARunningSweepStopsItBeforeTheEnd() throws Exception {
        delay.set(40);
        try {
            String id = json(post(IOI.formatted("block_every"))).get("id").asString();
            JsonNode running = waitFor(id, j -> j.get("state").asString().equals("running") && j.get("done").asLong() >= 2);
            long total = running.get("total").asLong();
            assertThat(total).isEqualTo(3L * 4 * 15);
            HttpResponse<String> del = send(at("/api/jobs/" + id).DELETE());
            assertThat(del.statusCode()).isEqualTo(202);
            JsonNode end = waitFor(id, j -> !j.get("state").asString().matches("queued|running"));
            assertThat(end.get("state").asString()).isEqualTo("cancelled");
            assertThat(end.get("done").asLong()).isLessThan(total);
            assertThat(end.has("html")).isFalse();
            // the worker is free again
            delay.set(0);
            String next = json(post(IOI.formatted("attn_head_out_all_pos"))).get("id").asString();
            assertThat(waitFor(next, j -> j.get("state").asString().equals("done")).get("done").asLong()).isEqualTo(16);
        } finally {
            delay.set(0);
        }
    }

    /**
     * A worker that runs out of heap (its error wrapped, as a parallel kernel's arrives) fails its job with the
     * out-of-memory line, not an "internal error" naming exception classes; the server goes on.
     */
    @Test
    void aJobThatRunsOutOfMemoryFailsWithOneLine() throws Exception {
        failNextRun.set(new OutOfMemoryError("Java heap space"));
        try {
            String id = json(post(IOI.formatted("resid_pre"))).get("id").asString();
            JsonNode end = waitFor(id, j -> !j.get("state").asString().matches("queued|running"));
            assertThat(end.get("state").asString()).isEqualTo("failed");
            assertThat(end.get("error").asString()).matches("out of memory \\(the server's heap is \\d+\\.\\d [MG]B\\); "
                    + "give the server's JVM more \\(JLENS_JAVA_OPTS=-Xmx\\.\\.\\.\\) or use shorter prompts");
        } finally {
            failNextRun.set(null);
        }
        String next = json(post(IOI.formatted("resid_pre"))).get("id").asString();
        assertThat(waitFor(next, j -> !j.get("state").asString().matches("queued|running")).get("state").asString()).isEqualTo("done");
    }

    /**
     * An error that is neither an exception nor out of memory (an InternalError, as a truncated memory-mapped file
     * raises when read) thrown on the worker as it is, unwrapped: the job ends failed with one line, never "running"
     * for ever, and the worker takes the next job.
     */
    @Test
    void aJobThatThrowsAnErrorFailsWithOneLine() throws Exception {
        for (Error error : new Error[] {new InternalError("a fault occurred in an unsafe memory access"), new StackOverflowError(),
                new OutOfMemoryError("Java heap space")}) {
            failNextRun.set(error);
            String id = json(post(IOI.formatted("resid_pre"))).get("id").asString();
            JsonNode end = waitFor(id, j -> !j.get("state").asString().matches("queued|running"));
            assertThat(end.get("state").asString()).as(error.toString()).isEqualTo("failed");
            String line = end.get("error").asString();
            assertThat(line).doesNotContain("\n");
            if (error instanceof OutOfMemoryError) assertThat(line).startsWith("out of memory (the server's heap is ");
            else assertThat(line).isEqualTo("internal error: " + error.getClass().getSimpleName() + ": " + error.getMessage());
        }
        String next = json(post(IOI.formatted("resid_pre"))).get("id").asString();
        assertThat(waitFor(next, j -> !j.get("state").asString().matches("queued|running")).get("state").asString()).isEqualTo("done");
    }

    /** While one analysis runs, 8 more wait; the next is refused at once with 503 and one line, and a cancelled one frees its place. */
    @Test
    void aFullLineIs503AtOnce() throws Exception {
        delay.set(100);
        java.util.List<String> ids = new java.util.ArrayList<>();
        try {
            String running = json(post(IOI.formatted("block_every"))).get("id").asString();
            ids.add(running);
            waitFor(running, j -> j.get("state").asString().equals("running"));
            for (int i = 0; i < 8; i++) {
                HttpResponse<String> r = post(IOI.formatted("resid_pre"));
                assertThat(r.statusCode()).as("waiting job " + i + ": " + r.body()).isEqualTo(202);
                ids.add(json(r).get("id").asString());
            }
            HttpResponse<String> full = post(IOI.formatted("resid_pre"));
            assertThat(full.statusCode()).isEqualTo(503);
            assertThat(full.body()).isEqualTo("{\"error\":\"the server has 8 analyses waiting; wait for one to finish or cancel one\"}");
            assertThat(send(at("/api/jobs/" + ids.getLast()).DELETE()).statusCode()).isEqualTo(202);
            HttpResponse<String> again = post(IOI.formatted("resid_pre"));
            assertThat(again.statusCode()).as(again.body()).isEqualTo(202);
            ids.add(json(again).get("id").asString());
        } finally {
            for (String id : ids) send(at("/api/jobs/" + id).DELETE());
            delay.set(0);
        }
    }

    /**
     * Bodies being read are held in the heap: while 16 analysis requests are half sent, the next is refused at once
     * with 503 (its body read and dropped) instead of adding its body to the others. Once they end, requests go through.
     */
    @Test
    void moreThan16RequestsBeingReadAtOnceAre503() throws Exception {
        java.util.List<Socket> slow = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < JlensServer.MAX_READING; i++) {
                Socket s = new Socket(server.uri().getHost(), server.port());
                s.setSoTimeout(10_000);
                s.getOutputStream().write(("POST /api/analyze HTTP/1.1\r\nHost: 127.0.0.1:" + server.port()
                        + "\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"prompts\": [").getBytes(StandardCharsets.ISO_8859_1));
                s.getOutputStream().flush();
                slow.add(s);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            HttpResponse<String> r = post(IOI.formatted("resid_pre"));
            while (r.statusCode() == 202 && System.nanoTime() < deadline) {   // until the server has begun reading all 16
                send(at("/api/jobs/" + json(r).get("id").asString()).DELETE());
                Thread.sleep(20);
                r = post(IOI.formatted("resid_pre"));
            }
            assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
            assertThat(json(r).get("error").asString()).isEqualTo("the server is reading 16 analysis requests already; try again in a moment");
        } finally {
            for (Socket s : slow) s.close();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        HttpResponse<String> after = post(IOI.formatted("resid_pre"));
        while (after.statusCode() == 503 && System.nanoTime() < deadline) {
            Thread.sleep(20);
            after = post(IOI.formatted("resid_pre"));
        }
        assertThat(after.statusCode()).as(after.body()).isEqualTo(202);
        waitFor(json(after).get("id").asString(), j -> !j.get("state").asString().matches("queued|running"));
    }

    @Test
    void requestsAtTheSameTimeShareTheOneModel() throws Exception {
        java.util.List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> sent = new java.util.ArrayList<>();
        for (String kind : new String[] {"resid_pre", "attn_out", "mlp_out"}) {
            sent.add(client.sendAsync(at("/api/analyze").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(IOI.formatted(kind))).build(), HttpResponse.BodyHandlers.ofString()));
        }
        java.util.List<JsonNode> results = new java.util.ArrayList<>();
        for (var f : sent) {
            String id = json(f.get()).get("id").asString();
            results.add(waitFor(id, j -> !j.get("state").asString().matches("queued|running")).get("result"));
        }
        // the same clean run for each; each its own sweep
        for (JsonNode r : results) assertThat(r.get("per_head")).isEqualTo(results.getFirst().get("per_head"));
        assertThat(results.get(0).get("patching").has("resid_pre")).isTrue();
        assertThat(results.get(2).get("patching").has("mlp_out")).isTrue();
    }

    @Test
    void badRequestsGetOneClearMessage() throws Exception {
        HttpResponse<String> notJson = post("{\"prompts\": [");
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(json(notJson).get("error").asString()).startsWith("request: not valid JSON");

        HttpResponse<String> twoTokens = post("{\"prompts\": [\"The pet is\"], \"answers\": [[\" Pebbles\", \" Rachel\"]]}");
        assertThat(twoTokens.statusCode()).isEqualTo(400);
        assertThat(json(twoTokens).get("error").asString()).contains("answers[0][0]").contains("single token");

        HttpResponse<String> text = send(at("/api/analyze").header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertThat(text.statusCode()).isEqualTo(415);
        assertThat(send(at("/api/analyze")).statusCode()).isEqualTo(405);
        assertThat(send(at("/api/jobs/" + "0".repeat(32))).statusCode()).isEqualTo(404);
        assertThat(send(at("/api/jobs/../model")).statusCode()).isEqualTo(404);
        assertThat(send(at("/")
                .method("PUT", HttpRequest.BodyPublishers.noBody())).statusCode()).isEqualTo(405);
    }

    /** Two analyses of different prompts sent at the same moment: each gets its own result, the one a lone run gives. */
    @Test
    void twoRequestsWithDifferentPromptsAtOnceGetEachTheirOwnResult() throws Exception {
        String ioi = IOI.formatted("attn_head_out_all_pos");
        String numbers = "{\"prompts\": [\"1 2 3 4\", \"5 6 7 8\"], \"answers\": [[\" 5\", \" 6\"], [\" 9\", \" 1\"]],"
                + " \"corrupted_prompts\": [\"1 2 3 3\", \"5 6 7 7\"], \"patching\": [\"resid_pre\"]}";
        java.util.List<String> bodies = java.util.List.of(ioi, numbers, numbers, ioi);
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        java.util.List<java.util.concurrent.CompletableFuture<JsonNode>> results = new java.util.ArrayList<>();
        for (String body : bodies) {
            results.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    start.await();
                    HttpResponse<String> r = post(body);
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
                    JsonNode job = waitFor(json(r).get("id").asString(), j -> !j.get("state").asString().matches("queued|running"));
                    assertThat(job.get("state").asString()).as(job.toString()).isEqualTo("done");
                    return job.get("result");
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            }));
        }
        start.countDown();
        for (int i = 0; i < bodies.size(); i++) {
            String alone = new dev.jlens.experiment.ExperimentAnalysis(Fixtures.model("a"))
                    .run(dev.jlens.experiment.Experiment.parse("request", bodies.get(i))).toJson().toString();
            // compared as JSON text: the same numbers, bit for bit
            assertThat(results.get(i).get(60, java.util.concurrent.TimeUnit.SECONDS).toString()).as("request " + i)
                    .isEqualTo(JsonMapper.shared().readTree(alone).toString());
        }
    }

    @Test
    void aPromptWithALoneSurrogateIs400() throws Exception {
        HttpResponse<String> r = post("{\"prompts\": [\"When \\ud800\"], \"answers\": [[\" Mary\", \" John\"]]}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("error").asString()).isEqualTo("request: prompts[0] has an unpaired surrogate U+D800 at index 5; it is not valid Unicode text");
    }

    @Test
    void aPromptLongerThanTheContextIs400() throws Exception {
        HttpResponse<String> r = post("{\"prompts\": [\"" + "word ".repeat(1100) + "\"], \"answers\": [[\" Mary\", \" John\"]]}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("error").asString()).isEqualTo("request: prompts[0] is 1102 tokens long, more than the model's context of 1024 tokens (n_ctx)");
    }

    @Test
    void moreThan64PromptsIs400() throws Exception {
        String prompts = String.join(",", java.util.Collections.nCopies(65, "\"a b\""));
        String answers = String.join(",", java.util.Collections.nCopies(65, "[\" a\", \" b\"]"));
        HttpResponse<String> r = post("{\"prompts\": [" + prompts + "], \"answers\": [" + answers + "]}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("error").asString()).isEqualTo("request: at most 64 prompts per analysis");
    }

    /** 40 prompts of 1,001 tokens: the logits alone are 8 GB, more than the tests' 4 GB heap; refused up front with the estimate. */
    @Test
    void anAnalysisTooLargeForTheHeapIs413WithTheEstimate() throws Exception {
        String prompt = "\"" + "word ".repeat(1000).strip() + "\"";
        String prompts = String.join(",", java.util.Collections.nCopies(40, prompt));
        String answers = String.join(",", java.util.Collections.nCopies(40, "[\" a\", \" b\"]"));
        HttpResponse<String> r = post("{\"prompts\": [" + prompts + "], \"answers\": [" + answers + "], \"corrupted_prompts\": ["
                + prompts + "], \"patching\": [\"resid_pre\"]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(413);
        assertThat(json(r).get("error").asString()).matches("request: the analysis of 40 prompts of 1001 tokens needs about \\d+\\.\\d GB of memory "
                + "but only \\d+\\.\\d [MG]B of the \\d+\\.\\d GB heap is free; use fewer or shorter prompts, or give the JVM more \\(JLENS_JAVA_OPTS=-Xmx<size>\\)");
        assertThat(json(r).has("id")).as("no job was made").isFalse();
    }

    @Test
    void bodiesOverOneMegabyteAre413() throws Exception {
        String big = "{\"prompts\": [\"" + "a".repeat(JlensServer.DEFAULT_MAX_BODY) + "\"], \"answers\": [[\" a\", \" b\"]]}";
        HttpResponse<String> r = post(big);
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(json(r).get("error").asString()).contains("larger than 1048576 bytes");
        // without a Content-Length (chunked), the cap holds all the same
        HttpResponse<String> chunked = send(at("/api/analyze").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big.getBytes(StandardCharsets.UTF_8)))));
        assertThat(chunked.statusCode()).isEqualTo(413);
        assertThat(json(chunked).get("error").asString()).contains("larger than 1048576 bytes");
    }

    /** Decoded leniently, the bad byte would reach the model as U+FFFD; refused as an experiment file's would be. */
    @Test
    void aBodyThatIsNotUtf8Is400() throws Exception {
        byte[] body = "{\"prompts\": [\"When ?\"], \"answers\": [[\" Mary\", \" John\"]]}".getBytes(StandardCharsets.US_ASCII);
        body[new String(body, StandardCharsets.US_ASCII).indexOf('?')] = (byte) 0xc3;   // a lead byte with no continuation
        HttpResponse<String> r = send(at("/api/analyze").header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("error").asString()).isEqualTo("request: not valid UTF-8 text");
    }

    @Test
    void foreignHostsAndOriginsAreRefused() throws Exception {
        String rebinding = rawWithHeaders("GET /api/model HTTP/1.1", "Host: attacker.example:" + server.port());
        assertThat(rebinding).startsWith("HTTP/1.1 403").contains("127.0.0.1 or localhost only");
        String crossSite = rawWithHeaders("DELETE /api/jobs/" + "0".repeat(32) + " HTTP/1.1", "Host: 127.0.0.1:" + server.port(), "Origin: http://attacker.example");
        assertThat(crossSite).startsWith("HTTP/1.1 403").contains("cross-origin");
        String sameSite = rawWithHeaders("GET /api/model HTTP/1.1", "Host: localhost:" + server.port(), "Origin: http://localhost:" + server.port());
        assertThat(sameSite).startsWith("HTTP/1.1 200");
    }

    static String rawWithHeaders(String requestLine, String... headers) throws IOException {
        return rawRequest(server.port(), requestLine, headers);
    }

    /** A request written as it is to 127.0.0.1 at {@code port}, and its whole answer. */
    static String rawRequest(int port, String requestLine, String... headers) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            StringBuilder req = new StringBuilder(requestLine).append("\r\n");
            for (String h : headers) req.append(h).append("\r\n");
            req.append("Connection: close\r\n\r\n");
            s.getOutputStream().write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void uriIsLoopbackByDefault() {
        assertThat(server.uri().getHost()).isEqualTo("127.0.0.1");
        assertThat(URI.create(server.uri().toString()).getPort()).isEqualTo(server.port());
    }
}
