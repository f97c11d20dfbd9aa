package dev.jlens.server;

import dev.jlens.Fixtures;
import dev.jlens.sae.Sae;
import dev.jlens.sae.SaeFixtures;
import dev.jlens.sae.Saes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The web UI on a model with an SAE spliced in ({@code jlens serve --sae}): its analyses have the SAE's features, the
 * model info names it, and a request cannot name SAEs of its own.
 */
class ServerSaeTest {
    private static JlensServer server;
    private static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() {
        server = JlensServer.builder(Saes.withSaes(Fixtures.model("a"), true, Sae.load(SaeFixtures.folder("standard")))).port(0).modelName("tiny-gpt2-a").start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return client.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI at(String path) {
        return server.uri().resolve(path);
    }

    private static HttpResponse<String> post(String body) throws Exception {
        return send(HttpRequest.newBuilder(at("/api/analyze")).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    @Test
    void anAnalysisHasTheSplicedSaesFeatures() throws Exception {
        JsonNode info = JsonMapper.shared().readTree(send(HttpRequest.newBuilder(at("/api/model"))).body());
        assertThat(info.get("saes").toString()).isEqualTo("[{\"hook_name\":\"blocks.2.hook_mlp_out\",\"d_sae\":256,\"use_error_term\":true}]");
        HttpResponse<String> r = post("{\"prompts\": [\"" + Fixtures.PET_PROMPT + "\"], \"answers\": [[\" Peb\", \" Rachel\"]]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        String id = JsonMapper.shared().readTree(r.body()).get("id").asString();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        JsonNode job;
        do {
            Thread.sleep(50);
            job = JsonMapper.shared().readTree(send(HttpRequest.newBuilder(at("/api/jobs/" + id))).body());
        } while (job.get("state").asString().matches("queued|running") && System.nanoTime() < deadline);
        assertThat(job.get("state").asString()).as(job.toString()).isEqualTo("done");
        assertThat(job.get("html").asString()).contains("id=\"sae-features-0\"", "id=\"sae-activations-0\"");
        assertThat(job.get("result").get("saes").get(0).get("hook_name").asString()).isEqualTo("blocks.2.hook_mlp_out");
    }

    @Test
    void aRequestNamingSaesIsRefusedInOneLine() throws Exception {
        HttpResponse<String> r = post("{\"prompts\": [\"1 2\"], \"answers\": [[\" 3\", \" 4\"]], \"saes\": [\"/etc\"]}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(JsonMapper.shared().readTree(r.body()).get("error").asString()).isEqualTo(
                "request: \"saes\" is not taken by the web UI (a request would read folders or download SAEs); start `jlens serve --sae SAE` to splice SAEs into every analysis");
    }
}
