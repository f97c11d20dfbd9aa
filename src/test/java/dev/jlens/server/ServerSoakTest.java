package dev.jlens.server;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real server in a child JVM with a small heap, driven by 8 clients on 127.0.0.1 that submit, cancel and poll
 * analyses as fast as it answers; bounded in time and in requests. Afterwards the server must still answer (a real
 * analysis completes) and its heap in use after a full collection must be back near where it started: what the
 * storm left is at most the finished jobs' answers the server keeps (an eighth of the heap) and a little more.
 */
class ServerSoakTest {
    static final String HEAP = "-Xmx256m";
    static final long HEAP_BYTES = 256L << 20;
    static final String[] KINDS = {"resid_pre", "attn_out", "mlp_out", "block_every", "attn_head_out_all_pos"};
    /** What a storm request carries besides the experiment: a long "model" field, the served model's (long) name. */
    static final String BULK = SoakServer.MODEL_NAME;
    static final String IOI = "{\"prompts\": [\"When John and Mary went to the shops, John gave the bag to\"], \"answers\": [[\" Mary\", \" John\"]],"
            + " \"corrupted_prompts\": [\"When John and Mary went to the shops, Mary gave the bag to\"], \"patching\": [\"%s\"]}";

    /** A shorter storm, in every build. */
    @Test
    void theServerOutlivesAShortStormOfSubmitCancelAndPoll() throws Exception {
        soak(Duration.ofSeconds(15));
    }

    /** The full minute, in the exhaustive profile. */
    @Test
    @Tag("exhaustive")
    void theServerOutlivesAMinuteOfSubmitCancelAndPoll() throws Exception {
        soak(Duration.ofSeconds(60));
    }

    static void soak(Duration length) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(java, HEAP, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), SoakServer.class.getName(), "2")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            PrintStream in = new PrintStream(child.getOutputStream(), true, StandardCharsets.UTF_8);
            String first = out.readLine();
            assertThat(first).as("the child's first line").startsWith("port ");
            URI base = URI.create("http://127.0.0.1:" + first.substring(5) + "/");
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

            assertThat(analysisCompletes(client, base)).isEqualTo("done");
            long before = heap(in, out);

            Storm storm = new Storm(client, base, length);
            storm.run();
            assertThat(storm.failures).as("answers the clients could not accept").isEmpty();
            assertThat(storm.requests.get()).as("requests sent").isGreaterThan(100);

            // the server still answers: a real analysis completes
            assertThat(analysisCompletes(client, base)).isEqualTo("done");
            long after = heap(in, out);
            System.out.printf("soak %s: %d requests (%s), heap after a collection %.1f MB before, %.1f MB after%n", length,
                    storm.requests.get(), storm.statuses, before / 1048576.0, after / 1048576.0);
            assertThat(after).as("heap in use after a collection, vs %d bytes before the storm", before)
                    .isLessThanOrEqualTo(before + HEAP_BYTES / 8 + (16L << 20));
        } finally {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Submit, then mostly cancel at once; the jobs left to run are polled by all clients. */
    static final class Storm {
        final HttpClient client;
        final URI base;
        final long deadline;
        final AtomicLong requests = new AtomicLong();
        final Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<String> kept = new ConcurrentLinkedQueue<>();

        Storm(HttpClient client, URI base, Duration length) {
            this.client = client;
            this.base = base;
            this.deadline = System.nanoTime() + length.toNanos();
        }

        void run() throws Exception {
            ExecutorService clients = Executors.newFixedThreadPool(8);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int c = 0; c < 8; c++) {
                    long seed = c;
                    done.add(clients.submit(() -> client(new Random(seed))));
                }
                for (Future<?> f : done) f.get(5, TimeUnit.MINUTES);
            } finally {
                clients.shutdownNow();
            }
        }

        private void client(Random random) {
            for (int i = 0; i < 1_000_000 && System.nanoTime() < deadline && failures.size() < 10; i++) {
                try {
                    String body = "{\"model\": \"" + BULK + "\", " + IOI.formatted(KINDS[random.nextInt(KINDS.length)]).substring(1);
                    HttpResponse<String> r = send(HttpRequest.newBuilder(base.resolve("/api/analyze")).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body)));
                    if (r.statusCode() == 202) {
                        String id = JsonMapper.shared().readTree(r.body()).get("id").asString();
                        // A few run to their end (and keep the worker busy, so that a line forms); the rest are cancelled at once.
                        if (random.nextInt(64) == 0) kept.add(id);
                        else send(HttpRequest.newBuilder(base.resolve("/api/jobs/" + id)).DELETE());
                    }
                    String poll = kept.peek();
                    if (poll != null) {
                        send(HttpRequest.newBuilder(base.resolve("/api/jobs/" + poll)));
                        if (kept.size() > 64) kept.poll();
                    }
                } catch (IOException | InterruptedException | RuntimeException e) {
                    failures.add(e.toString());
                }
            }
        }

        private HttpResponse<String> send(HttpRequest.Builder b) throws IOException, InterruptedException {
            HttpResponse<String> r = client.send(b.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            requests.incrementAndGet();
            statuses.computeIfAbsent(r.statusCode(), s -> new AtomicLong()).incrementAndGet();
            // 202 and 200; 404 for a job forgotten among the kept ones; 503 for a full line. Nothing else.
            if (!List.of(200, 202, 404, 503).contains(r.statusCode())) failures.add(r.statusCode() + " " + r.body());
            return r;
        }
    }

    static String analysisCompletes(HttpClient client, URI base) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(base.resolve("/api/analyze")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(IOI.formatted("resid_pre"))).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (r.statusCode() == 503 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            r = client.send(HttpRequest.newBuilder(base.resolve("/api/analyze")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(IOI.formatted("resid_pre"))).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        }
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        String id = JsonMapper.shared().readTree(r.body()).get("id").asString();
        while (System.nanoTime() < deadline) {
            JsonNode job = JsonMapper.shared().readTree(client.send(HttpRequest.newBuilder(base.resolve("/api/jobs/" + id))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString()).body());
            String state = job.get("state").asString();
            if (!state.equals("queued") && !state.equals("running")) {
                if (state.equals("done")) assertThat(job.get("result").get("patching").get("resid_pre").get("shape").toString()).isEqualTo("[4,15]");
                return state;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the analysis did not finish in time");
    }

    static long heap(PrintStream in, BufferedReader out) throws IOException {
        in.println("heap");
        String line = out.readLine();
        assertThat(line).as("the child's answer to heap").startsWith("heap ");
        return Long.parseLong(line.substring(5));
    }
}
