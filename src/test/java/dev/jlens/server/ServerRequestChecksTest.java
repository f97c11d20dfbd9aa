package dev.jlens.server;

import dev.jlens.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the web UI's server refuses before accepting an analysis (so no request gets a 202 and fails later), and what
 * it logs: one line per request and per job's outcome, and internal errors with their stack trace.
 */
class ServerRequestChecksTest {
    static final String PROMPT = "When John and Mary went to the shops, John gave the bag to";
    static final String CORRUPTED = "When John and Mary went to the shops, Mary gave the bag to";
    static final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    static final AtomicReference<Error> failNextRun = new AtomicReference<>();
    static JlensServer server;
    static HttpClient client;

    @BeforeAll
    static void start() {
        server = JlensServer.builder(Fixtures.model("a")).port(0).modelName("tiny-gpt2-a")
                .log(new PrintStream(logged, true, StandardCharsets.UTF_8)).progressObserver((done, total) -> {
                    Error e = failNextRun.getAndSet(null);
                    if (e != null) throw e;
                }).start();
        client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static HttpResponse<String> post(String body) throws Exception {
        return client.send(HttpRequest.newBuilder(server.uri().resolve("/api/analyze")).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode waitDone(String id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode job = JsonMapper.shared().readTree(client.send(HttpRequest.newBuilder(server.uri().resolve("/api/jobs/" + id)).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            if (!job.get("state").asString().matches("queued|running")) return job;
            Thread.sleep(20);
        }
        throw new AssertionError("job " + id + " did not finish");
    }

    static String log() {
        return logged.toString(StandardCharsets.UTF_8);
    }

    static String request(String model, String prompt2, String answer, String corrupted2) {
        return "{" + (model == null ? "" : "\"model\": \"" + model + "\", ") + "\"prompts\": [\"" + PROMPT + "\", \"" + prompt2 + "\"],"
                + " \"answers\": [[\" Mary\", \" John\"], [\"" + answer + "\", \" Mary\"]], \"corrupted_prompts\": [\"" + CORRUPTED + "\", \""
                + corrupted2 + "\"], \"patching\": [\"resid_pre\"]}";
    }

    @Test
    void aModelOtherThanTheServedOneIsRefused() throws Exception {
        HttpResponse<String> r = post(request("gpt2-medium", PROMPT, " John", CORRUPTED));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.headers().firstValue("Location")).isEmpty();
        assertThat(JsonMapper.shared().readTree(r.body()).get("error").asString())
                .isEqualTo("request: \"model\" is gpt2-medium but this server serves tiny-gpt2-a; leave \"model\" out, or start `jlens serve --model gpt2-medium` for it");
        assertThat(post(request("TINY-gpt2-a", PROMPT, " John", CORRUPTED)).statusCode()).isEqualTo(202);
        // a long name is cut short in the one line
        String error = JsonMapper.shared().readTree(post(request("m".repeat(5000), PROMPT, " John", CORRUPTED)).body()).get("error").asString();
        assertThat(error).startsWith("request: \"model\" is " + "m".repeat(77) + "... but this server serves tiny-gpt2-a").hasSizeLessThan(300);
    }

    @Test
    void requestsThatCouldNotRunAreRefusedBeforeTheyAreAccepted() throws Exception {
        String[][] cases = {
                {request(null, "When John and Mary went to the shops, John gave the big red bag to", " John", CORRUPTED), "prompts[1] is 17 tokens but prompts[0] is 15"},
                {request(null, PROMPT, " Johnathan", CORRUPTED), "answers[1][0] ' Johnathan' is 2 tokens"},
                {request(null, PROMPT, " John", "When John and Mary went to the shops, Mary gave the big red bag to"), "corrupted_prompts[1] is 17 tokens but corrupted_prompts[0] is 15"},
                {"{\"prompts\": [\"" + PROMPT + "\"], \"answers\": [[\" Mary\", \" John\"]], \"corrupted_prompts\": [\"Mary gave the bag to\"], \"patching\": [\"resid_pre\"]}",
                        "corrupted prompts are 6 tokens long but the prompts are 15"},
        };
        for (String[] c : cases) {
            HttpResponse<String> r = post(c[0]);
            assertThat(r.statusCode()).as(c[1]).isEqualTo(400);
            assertThat(JsonMapper.shared().readTree(r.body()).get("error").asString()).as(c[1]).startsWith("request: ").contains(c[1]);
        }
    }

    @Test
    void logsRequestsJobOutcomesAndInternalErrors() throws Exception {
        String id = JsonMapper.shared().readTree(post(request(null, PROMPT, " John", CORRUPTED)).body()).get("id").asString();
        assertThat(waitDone(id).get("state").asString()).isEqualTo("done");
        assertThat(post("{\"prompts\": [\"x\"]}").statusCode()).isEqualTo(400);
        failNextRun.set(new StackOverflowError("deep"));
        String failing = JsonMapper.shared().readTree(post(request(null, PROMPT, " John", CORRUPTED)).body()).get("id").asString();
        assertThat(waitDone(failing).get("state").asString()).isEqualTo("failed");
        // the worker writes a job's outcome to the log just after the job shows it: wait for the line
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!log().contains("job " + failing + " failed after") && System.nanoTime() < deadline) Thread.sleep(20);

        String log = log();
        assertThat(log).contains("jlens serve: POST /api/analyze 202\n")
                .contains("jlens serve: job " + id + " queued: 2 prompts, patching resid_pre\n")
                .containsPattern("jlens serve: job " + id + " done after [0-9.]+ s\n")
                .contains("jlens serve: POST /api/analyze 400: request: \"answers\" is missing\n")
                .containsPattern("jlens serve: job " + failing + " failed after [0-9.]+ s: internal error: StackOverflowError: deep\n")
                .contains("jlens serve: internal error in job " + failing + ":\njava.lang.StackOverflowError: deep\n\tat ");
        // a job's status, polled while all is well, is not a line each
        assertThat(log).doesNotContain("GET /api/jobs/");
    }
}
