package dev.jlens.cli;

import dev.jlens.Fixtures;
import dev.jlens.hub.StandInHub;
import dev.jlens.io.Checkpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code jlens download}, {@code jlens models} and {@code --model NAME} against a stand-in hub on 127.0.0.1. */
class HubCommandsTest {
    @TempDir
    Path tmp;
    StandInHub hub;
    Path cache;
    Map<String, String> env;

    @BeforeEach
    void startHub() {
        hub = StandInHub.start();
        cache = tmp.resolve("hub");
        env = hub.environment(cache, tmp);
    }

    @AfterEach
    void stopHub() {
        hub.close();
    }

    private static CliRunner.Result ok(CliRunner.Result r) {
        assertThat(r.exitCode()).as("stderr: " + r.err()).isZero();
        return r;
    }

    private static CliRunner.Result oneLineError(CliRunner.Result r) {
        assertThat(r.exitCode()).as("stdout: " + r.out()).isEqualTo(1);
        assertThat(r.errLines()).as(r.err()).hasSize(1);
        assertThat(r.err()).startsWith("jlens: ").doesNotContain("Exception");
        return r;
    }

    @Test
    void downloadPrintsTheSnapshotFolderAndModelsSaysItIsCached() {
        String commit = hub.repo("openai-community/gpt2", Fixtures.modelDir("a")).commit();
        String before = ok(CliRunner.runWithEnv(env, "models")).out();
        assertThat(before.lines().filter(l -> l.startsWith("gpt2 "))).singleElement().satisfies(l ->
                assertThat(l).contains("gpt2-small").contains("openai-community/gpt2").contains("548 MB").endsWith("no"));

        CliRunner.Result r = ok(CliRunner.runWithEnv(env, "download", "gpt2-small"));
        Path snapshot = cache.resolve("models--openai-community--gpt2/snapshots").resolve(commit);
        assertThat(r.out()).isEqualTo(snapshot + "\n");
        assertThat(r.err()).as("no progress bar when stderr is not a terminal").isEmpty();

        String after = ok(CliRunner.runWithEnv(env, "models")).out();
        assertThat(after.lines().findFirst().orElseThrow()).startsWith("NAME").contains("ALIASES").contains("REPO").contains("SIZE").contains("CACHED");
        assertThat(after.lines().filter(l -> l.startsWith("gpt2 "))).singleElement().satisfies(l -> assertThat(l).endsWith("yes " + snapshot));
        assertThat(after.lines().filter(l -> l.startsWith("distilgpt2 "))).singleElement().satisfies(l ->
                assertThat(l).contains("distil-gpt2").contains("distilbert/distilgpt2").endsWith("no"));
        assertThat(after.lines()).hasSize(1 + dev.jlens.hub.ModelRegistry.all().size());
        assertThat(after.lines().filter(l -> l.startsWith("EleutherAI/pythia-70m "))).singleElement().satisfies(l ->
                assertThat(l).contains("EleutherAI/pythia-19m, pythia, pythia-19m, pythia-70m").contains("140 MB"));
    }

    @Test
    void downloadDrawsAProgressBarOnATerminal() {
        hub.repo("acme/tiny", Fixtures.modelDir("a"));
        CliRunner.Result r = ok(CliRunner.runWithEnv(env, true, "download", "acme/tiny", "--revision", "main"));
        assertThat(r.err()).startsWith("\racme/tiny ").contains("100% [").endsWith("\n");
    }

    @Test
    void modelByNameGivesTheSameActivationsAsTheFolder() {
        hub.repo("openai-community/gpt2", Fixtures.modelDir("a"));
        Path fromHub = tmp.resolve("hub.safetensors"), fromFolder = tmp.resolve("folder.safetensors");
        ok(CliRunner.runWithEnv(env, "cache", "--model", "gpt2-small", "--prompt", Fixtures.PET_PROMPT, "--out", fromHub.toString()));
        ok(CliRunner.runWithEnv(env, "cache", "--model", Fixtures.modelDir("a").toString(), "--prompt", Fixtures.PET_PROMPT, "--out", fromFolder.toString()));
        try (Checkpoint a = Checkpoint.open(fromHub); Checkpoint b = Checkpoint.open(fromFolder)) {
            assertThat(a.names()).isNotEmpty().containsExactlyInAnyOrderElementsOf(b.names());
            // The same numbers up to float rounding (the kernels' summation order may differ between runs).
            for (String name : a.names()) Fixtures.assertClose(name, a.readFloat32(name), b.readFloat32(name));
        }
        // Offline with the hub stopped, the cached model is used.
        hub.stop();
        env.put("HF_HUB_OFFLINE", "1");
        ok(CliRunner.runWithEnv(env, "tokenize", "--model", "gpt2-small", "--", "Hello"));
    }

    /** Llama and Gemma repositories are gated: by their TransformerLens names too, without the token one line says what to do. */
    @Test
    void gatedFamiliesByTheirNamesNeedTheToken() {
        hub.repo("google/gemma-2-2b", Fixtures.modelDir("a")).gated("hf_granted");
        hub.repo("meta-llama/Llama-2-7b-hf", Fixtures.modelDir("a")).token("hf_granted");
        assertThat(oneLineError(CliRunner.runWithEnv(env, "download", "gemma-2-2b")).err())
                .contains("google/gemma-2-2b").contains("gated").contains("HF_TOKEN");
        assertThat(oneLineError(CliRunner.runWithEnv(env, "download", "Llama-2-7b")).err())
                .contains("401").contains("meta-llama/Llama-2-7b-hf").contains("HF_TOKEN");
        env.put("HF_TOKEN", "hf_granted");
        ok(CliRunner.runWithEnv(env, "download", "gemma-2-2b"));
        ok(CliRunner.runWithEnv(env, "download", "llama-2-7b"));
    }

    /** Pythia's training checkpoints are revisions stepN; a step it has no checkpoint for is refused before any request. */
    @Test
    void pythiaCheckpointsAreRevisionsOfTheirSteps() {
        hub.repo("EleutherAI/pythia-70m", Fixtures.modelDir("a")).ref("step1000", Fixtures.modelDir("a"));
        ok(CliRunner.runWithEnv(env, "download", "pythia-70m@step1000"));
        hub.clearRequests();
        assertThat(oneLineError(CliRunner.runWithEnv(env, "download", "pythia-70m@step1500")).err())
                .isEqualTo("jlens: EleutherAI/pythia-70m@step1500: no such training checkpoint; Pythia has steps 0, 1, 2, 4, ...,"
                        + " 512, then 1000, 2000, ..., 143000\n");
        assertThat(hub.requestCount()).isZero();
    }

    @Test
    void errorsAreOneLine() {
        hub.repo("openai-community/gpt2", Fixtures.modelDir("a"));
        hub.repo("acme/private", Fixtures.modelDir("a")).token("hf_secret");
        assertThat(oneLineError(CliRunner.runWithEnv(env, "download", "acme/private")).err())
                .contains("401").contains("acme/private").contains("HF_TOKEN");
        assertThat(oneLineError(CliRunner.runWithEnv(env, "download", "gpt2", "--revision", "nope")).err())
                .contains("revision 'nope' not found in openai-community/gpt2");
        assertThat(oneLineError(CliRunner.runWithEnv(env, "download", "gpt2@v1", "--revision", "v1")).err())
                .contains("revision is given twice");
        assertThat(oneLineError(CliRunner.runWithEnv(env, "download", "gpt3-huge")).err()).contains("unknown model 'gpt3-huge'");
        assertThat(oneLineError(CliRunner.runWithEnv(env, "tokenize", "--model", Fixtures.modelDir("a").toString(), "--revision", "v1", "x")).err())
                .contains("--revision is for a model from the Hub");
        assertThat(oneLineError(CliRunner.runWithEnv(env, "tokenize", "--model", "gpt2-medium", "x")).err())
                .contains("openai-community/gpt2-medium");
        env.put("HF_TOKEN", "hf_secret");
        ok(CliRunner.runWithEnv(env, "download", "acme/private"));

        Map<String, String> offline = new HashMap<>(env);
        offline.put("HF_HUB_OFFLINE", "1");
        offline.put("HF_HUB_CACHE", tmp.resolve("empty").toString());
        int before = hub.requestCount();
        assertThat(oneLineError(CliRunner.runWithEnv(offline, "download", "gpt2")).err()).contains("HF_HUB_OFFLINE").contains("not in the Hugging Face cache");
        assertThat(hub.requestCount()).isEqualTo(before);

        hub.stop();
        assertThat(oneLineError(CliRunner.runWithEnv(env, "test-prompt", "--model", "distilgpt2", "--prompt", "a", "--answer", "b")).err())
                .contains("cannot reach").contains(hub.endpoint()).contains("not in the Hugging Face cache");
    }

    @Test
    void aBodyLongerThanAnnouncedIsOneLine() {
        hub.repo("openai-community/gpt2", Fixtures.modelDir("a"));
        hub.overlong("model.safetensors", 4_000_000, false);
        assertThat(oneLineError(CliRunner.runWithEnv(env, "download", "gpt2")).err())
                .contains("openai-community/gpt2/model.safetensors").contains("more than the 13933096 bytes");
        assertThat(blobs()).isEmpty();
    }

    @Test
    void aRedirectToWhatIsNotAnHttpUrlIsOneLineNamingIt() {
        hub.repo("openai-community/gpt2", Fixtures.modelDir("a"));
        Map<String, String> wrong = new java.util.LinkedHashMap<>();
        wrong.put("file:///etc/passwd", "not an http(s) URL");
        wrong.put("ftp://127.0.0.1/blob", "not an http(s) URL");
        wrong.put("http://127.0.0.1:0/blob", "port 0 is not between 1 and 65535");
        wrong.put("http://127.0.0.1:65536/blob", "port 65536 is not between 1 and 65535");
        wrong.put("http://127.0.0.1:99999999999/blob", "port 99999999999 is not between 1 and 65535");
        wrong.put("http:///blob", "no host");
        wrong.put("http://a b/blob", "not a URL");
        for (Map.Entry<String, String> w : wrong.entrySet()) {
            for (boolean fromCdn : new boolean[] {false, true}) {
                if (fromCdn) hub.cdnRedirectsTo("model.safetensors", w.getKey());
                else hub.headRedirectsTo("model.safetensors", w.getKey());
                String err = oneLineError(CliRunner.runWithEnv(env, "download", "gpt2")).err();
                assertThat(err).as(w.getKey()).doesNotContain("internal error")
                        .contains("model.safetensors").contains("redirected to '" + w.getKey() + "'").contains(w.getValue());
                hub.cdnRedirectsTo("model.safetensors", null);
                hub.headRedirectsTo("model.safetensors", null);
            }
        }
        assertThat(blobs()).isEmpty();
    }

    @Test
    void credentialsInTheEndpointOrTheTokenAreInNoMessage() {
        hub.repo("openai-community/gpt2", Fixtures.modelDir("a"));
        String hostPort = hub.endpoint().substring("http://".length());
        env.put("HF_ENDPOINT", "http://jlens-user:s3cret-pass@" + hostPort + "/");
        env.put("HF_TOKEN", "hf_t0kenSecret");
        hub.validToken("hf_t0kenSecret");
        java.util.List<String> lines = new java.util.ArrayList<>();
        lines.add(oneLineError(CliRunner.runWithEnv(env, "download", "acme/nothing")).err());
        hub.errorMessage("you sent Bearer hf_t0kenSecret");
        hub.failNextWith(418);
        lines.add(oneLineError(CliRunner.runWithEnv(env, "download", "gpt2")).err());
        assertThat(ok(CliRunner.runWithEnv(env, true, "download", "gpt2")).err()).as("the progress line")
                .contains("100% [").doesNotContain("s3cret-pass").doesNotContain("hf_t0kenSecret");
        hub.stop();
        CliRunner.Result fromCache = ok(CliRunner.runWithEnv(env, true, "download", "gpt2"));
        assertThat(fromCache.err()).contains("jlens: warning: cannot reach");
        lines.add(fromCache.err());
        lines.add(oneLineError(CliRunner.runWithEnv(env, "download", "acme/other")).err());
        for (String line : lines) {
            assertThat(line).contains(hostPort).doesNotContain("s3cret-pass").doesNotContain("jlens-user")
                    .doesNotContain("hf_t0kenSecret");
        }
        assertThat(lines.get(0)).contains("http://***@" + hostPort);
        assertThat(lines.get(1)).contains("418").contains("you sent Bearer ***");

        // A redirect's credentials (user information, a signed query) are not shown either.
        hub = StandInHub.start();
        hub.repo("openai-community/gpt2", Fixtures.modelDir("a"));
        hub.validToken("hf_t0kenSecret");
        hub.headRedirectsTo("model.safetensors", "ftp://cdn-user:cdn-pass@127.0.0.1/blob?sig=abc123");
        env.put("HF_ENDPOINT", hub.endpoint());
        assertThat(oneLineError(CliRunner.runWithEnv(env, "download", "gpt2")).err())
                .contains("ftp://***@127.0.0.1/blob?sig=***").doesNotContain("cdn-user").doesNotContain("cdn-pass").doesNotContain("abc123");
    }

    @Test
    void anEndpointWithAPortPastTheRangeIsOneLineWithoutItsCredentials() {
        env.put("HF_ENDPOINT", "http://jlens-user:s3cret-pass@127.0.0.1:65536");
        assertThat(oneLineError(CliRunner.runWithEnv(env, "download", "gpt2")).err())
                .isEqualTo("jlens: HF_ENDPOINT 'http://***@127.0.0.1:65536' has port 65536, not between 1 and 65535\n");
    }

    @Test
    void aHubTooSlowForTheWholeDownloadIsGivenUpInOneLine() {
        hub.repo("openai-community/gpt2", Fixtures.modelDir("a"));
        hub.trickle("model.safetensors", 10_000, 100);  // 100 kB/s: the 13.9 MB would take 139 s, never stalling
        env.put("JLENS_HUB_DOWNLOAD_MIN_RATE", "10000");  // kB/s: 15.4 MB may take 1.5 s ...
        env.put("JLENS_HUB_DOWNLOAD_GRACE", "2");  // ... plus 2 s
        String err = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(30),
                () -> oneLineError(CliRunner.runWithEnv(env, "download", "gpt2")).err());
        assertThat(err).contains("openai-community/gpt2").contains("model.safetensors").contains("JLENS_HUB_DOWNLOAD_MIN_RATE");
        assertThat(blobs()).isEmpty();
    }

    /** The blobs in the cache (none when the folder is not there). */
    private java.util.List<Path> blobs() {
        Path dir = cache.resolve("models--openai-community--gpt2/blobs");
        if (!Files.isDirectory(dir)) return java.util.List.of();
        try (java.util.stream.Stream<Path> s = Files.list(dir)) {
            return s.toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void downloadedFilesAreTheFixtureBytes() throws Exception {
        hub.repo("acme/b", Fixtures.modelDir("b"));
        Path folder = Path.of(ok(CliRunner.runWithEnv(env, "download", "acme/b")).out().strip());
        for (String f : new String[] {"config.json", "tokenizer.json", "pytorch_model.bin"}) {
            assertThat(Files.readAllBytes(folder.resolve(f))).as(f).isEqualTo(Files.readAllBytes(Fixtures.modelDir("b").resolve(f)));
        }
    }
}
