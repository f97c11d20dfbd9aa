package dev.jlens.hub;

import dev.jlens.Fixtures;
import dev.jlens.hub.HubException.Kind;
import dev.jlens.util.Progress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static dev.jlens.hub.HubTesting.FAST;
import static dev.jlens.hub.HubTesting.settings;
import static dev.jlens.hub.HubTesting.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Downloads from a {@link StandInHub} into huggingface_hub's cache layout, and every way that can go wrong. */
class ModelDownloaderTest {
    private static final RepoId GPT2 = RepoId.parse("openai-community/gpt2");
    private static final List<String> FILES_A = List.of("config.json", "tokenizer_config.json", "vocab.json", "merges.txt", "model.safetensors");

    @TempDir
    Path tmp;
    StandInHub hub;
    Path cache;

    @BeforeEach
    void startHub() {
        hub = StandInHub.start();
        cache = tmp.resolve("hub");
    }

    @AfterEach
    void stopHub() {
        hub.close();
    }

    private ModelDownloader.Snapshot download(HubSettings s, RepoId repo, String revision) {
        try (ModelDownloader d = new ModelDownloader(s, FAST)) {
            return d.download(repo, revision, Progress.NONE);
        }
    }

    private ModelDownloader.Snapshot download(RepoId repo, String revision) {
        return download(settings(hub, cache), repo, revision);
    }

    private static byte[] fixture(String which, String file) throws IOException {
        return Files.readAllBytes(Fixtures.modelDir(which).resolve(file));
    }

    private static HubException hubError(Kind kind, Runnable r) {
        try {
            r.run();
        } catch (HubException e) {
            assertThat(e.kind()).as(e.getMessage()).isEqualTo(kind);
            assertThat(e.getMessage()).doesNotContain("\n");
            return e;
        }
        throw new AssertionError("expected a HubException of kind " + kind);
    }

    @Test
    void downloadsIntoTheExactLayoutOfHuggingfaceHub() throws IOException {
        String commit = hub.repo("openai-community/gpt2", Fixtures.modelDir("a")).commit();
        ModelDownloader.Snapshot s = download(GPT2, "main");

        Path repoDir = cache.resolve("models--openai-community--gpt2");
        assertThat(s.commit()).isEqualTo(commit);
        assertThat(s.folder()).isEqualTo(repoDir.resolve("snapshots").resolve(commit));
        assertThat(s.files()).containsExactlyElementsOf(FILES_A);
        assertThat(Files.readString(repoDir.resolve("refs/main"))).isEqualTo(commit);  // no newline, as huggingface_hub writes it

        List<String> blobs = new ArrayList<>();
        for (String f : FILES_A) {
            byte[] content = fixture("a", f);
            String etag = StandInHub.isLfs(f) ? StandInHub.sha256(content) : StandInHub.gitSha1(content);
            Path link = s.folder().resolve(f);
            assertThat(Files.isSymbolicLink(link)).as(f).isTrue();
            assertThat(Files.readSymbolicLink(link)).as(f).isEqualTo(Path.of("../../blobs/" + etag));
            assertThat(Files.readAllBytes(repoDir.resolve("blobs").resolve(etag))).as(f).isEqualTo(content);
            blobs.add(etag);
        }
        try (Stream<Path> b = Files.list(repoDir.resolve("blobs"))) {
            assertThat(b.map(p -> p.getFileName().toString())).containsExactlyInAnyOrderElementsOf(blobs);
        }
        assertThat(s.folder().resolve("tokenizer.json")).doesNotExist();
        assertThat(s.folder().resolve("pytorch_model.bin")).doesNotExist();
        assertThat(ModelFiles.complete(s.folder())).isTrue();

        // The protocol: HEAD of config.json at main, the rest at the commit it named; the weights from the CDN.
        List<StandInHub.Request> reqs = hub.requests();
        assertThat(reqs.get(0)).isEqualTo(new StandInHub.Request("hub", "HEAD", "/openai-community/gpt2/resolve/main/config.json", null, null, null));
        assertThat(reqs.stream().filter(r -> r.server().equals("hub") && r.method().equals("HEAD")).skip(1).map(StandInHub.Request::path))
                .allMatch(p -> p.startsWith("/openai-community/gpt2/resolve/" + commit + "/"));
        assertThat(reqs.stream().filter(r -> r.server().equals("cdn")).map(StandInHub.Request::method)).containsExactly("GET");
        assertThat(hub.count("hub", "GET")).isEqualTo(4);
    }

    @Test
    void aSecondDownloadAsksOnlyForMetadata() {
        hub.repo("openai-community/gpt2", Fixtures.modelDir("a"));
        download(GPT2, "main");
        hub.clearRequests();
        Map<String, String> before = tree(cache);
        ModelDownloader.Snapshot again = download(GPT2, "main");
        assertThat(again.bytesDownloaded()).isZero();
        assertThat(hub.requests()).allMatch(r -> r.method().equals("HEAD") && r.server().equals("hub"));
        assertThat(tree(cache)).isEqualTo(before);
    }

    @Test
    void aDownloadedModelIsUsedOfflineWithTheHubStopped() {
        hub.repo("openai-community/gpt2", Fixtures.modelDir("a"));
        Path folder = download(GPT2, "main").folder();
        hub.stop();
        HubSettings offline = settings(hub, cache).withOffline(true);
        try (ModelDownloader d = new ModelDownloader(offline, FAST)) {
            assertThat(d.resolve(GPT2, "main", Progress.NONE).folder()).isEqualTo(folder);
            assertThat(d.download(GPT2, "main", Progress.NONE).folder()).isEqualTo(folder);
        }
        // Online too: a cached model needs no request, so a stopped hub does not matter.
        try (ModelDownloader d = new ModelDownloader(settings(hub, cache), FAST)) {
            assertThat(d.resolve(GPT2, "main", Progress.NONE).folder()).isEqualTo(folder);
            // jlens download asks the hub; unreachable, it falls back to the cache and says so.
            ModelDownloader.Snapshot s = d.download(GPT2, "main", Progress.NONE);
            assertThat(s.folder()).isEqualTo(folder);
            assertThat(s.warning()).hasValueSatisfying(w -> assertThat(w).contains("cannot reach").contains("cached snapshot"));
        }
    }

    /** A cache as huggingface_hub lays it out (relative links, refs without newline, .no_exist, other files). */
    static Path huggingfaceHubCache(Path cache, String commit) throws IOException {
        Path repo = Files.createDirectories(cache.resolve("models--openai-community--gpt2"));
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs/main"), commit);
        Path snap = Files.createDirectories(repo.resolve("snapshots").resolve(commit));
        Files.createDirectories(repo.resolve(".no_exist").resolve(commit));
        Files.writeString(repo.resolve(".no_exist").resolve(commit).resolve("added_tokens.json"), "");
        Path blobs = Files.createDirectories(repo.resolve("blobs"));
        List<String> files = new ArrayList<>(FILES_A);
        for (String f : files) {
            byte[] content = fixture("a", f);
            String etag = StandInHub.isLfs(f) ? StandInHub.sha256(content) : StandInHub.gitSha1(content);
            Files.write(blobs.resolve(etag), content);
            Files.createSymbolicLink(snap.resolve(f), Path.of("../../blobs/" + etag));
        }
        byte[] generation = "{\"bos_token_id\": 50256}".getBytes();
        Files.write(blobs.resolve(StandInHub.gitSha1(generation)), generation);
        Files.createSymbolicLink(snap.resolve("generation_config.json"), Path.of("../../blobs/" + StandInHub.gitSha1(generation)));
        return snap;
    }

    @Test
    void aCacheLaidOutByHuggingfaceHubIsUsedWithoutAnyRequest() throws IOException {
        String commit = "0123456789abcdef0123456789abcdef01234567";
        Path snap = huggingfaceHubCache(cache, commit);
        Map<String, String> before = tree(cache);
        try (ModelDownloader d = new ModelDownloader(settings(hub, cache), FAST)) {
            assertThat(d.resolve(GPT2, "main", Progress.NONE).folder()).isEqualTo(snap);
            assertThat(d.resolve(GPT2, commit, Progress.NONE).folder()).isEqualTo(snap);  // a commit needs no ref
            assertThat(d.cached(GPT2, "main")).hasValueSatisfying(s -> assertThat(s.files()).containsExactlyElementsOf(FILES_A));
        }
        assertThat(hub.requestCount()).isZero();
        assertThat(tree(cache)).isEqualTo(before);
    }

    @Test
    void aSnapshotWhoseBlobIsMissingIsNotTakenForComplete() throws IOException {
        String commit = hub.repo("openai-community/gpt2", Fixtures.modelDir("a")).commit();
        Path snap = huggingfaceHubCache(cache, commit);
        Path weightsBlob = snap.resolve("model.safetensors").toRealPath();
        Files.delete(weightsBlob);
        try (ModelDownloader d = new ModelDownloader(settings(hub, cache), FAST)) {
            assertThat(d.cached(GPT2, "main")).isEmpty();
            assertThat(d.resolve(GPT2, "main", Progress.NONE).folder()).isEqualTo(snap);
        }
        assertThat(weightsBlob).exists();
        assertThat(hub.count("hub", "GET")).as("the small blobs were there").isZero();
        assertThat(hub.count("cdn", "GET")).isEqualTo(1);
    }

    @Test
    void aConnectionCutMidFileIsResumedWithRangeAndVerified() throws IOException {
        hub.repo("openai-community/gpt2", Fixtures.modelDir("a"));
        hub.cutOnce("model.safetensors", 3_000_000);
        hub.cutOnce("vocab.json", 100_000);
        ModelDownloader.Snapshot s = download(GPT2, "main");
        assertThat(Files.readAllBytes(s.folder().resolve("model.safetensors"))).isEqualTo(fixture("a", "model.safetensors"));
        assertThat(Files.readAllBytes(s.folder().resolve("vocab.json"))).isEqualTo(fixture("a", "vocab.json"));
        List<StandInHub.Request> cdnGets = hub.requests().stream().filter(r -> r.server().equals("cdn")).toList();
        resumedWithinTheCut(cdnGets.stream().map(StandInHub.Request::range).toList(), 3_000_000);
        // If-Range carries the ETag the content was first served with, so a changed file is sent whole.
        assertThat(cdnGets.get(1).ifRange()).isEqualTo("\"cdn-" + StandInHub.sha256(fixture("a", "model.safetensors")).substring(0, 16) + "\"");
        resumedWithinTheCut(hub.requests().stream().filter(r -> r.path().endsWith("/vocab.json") && r.method().equals("GET"))
                .map(StandInHub.Request::range).toList(), 100_000);
    }

    /**
     * A whole request, then one resumed from what arrived: at most the cut, since bytes still in flight when the
     * connection is reset can be lost (on a busy machine they sometimes are).
     */
    private static void resumedWithinTheCut(List<String> ranges, long cut) {
        assertThat(ranges).hasSize(2);
        assertThat(ranges.get(0)).isNull();
        assertThat(ranges.get(1)).matches("bytes=\\d+-");
        assertThat(Long.parseLong(ranges.get(1).replaceAll("\\D", ""))).isPositive().isLessThanOrEqualTo(cut);
    }

    @Test
    void aStalledDownloadIsCutAfterTheTimeoutAndResumed() throws IOException {
        hub.repo("openai-community/gpt2", Fixtures.modelDir("a"));
        hub.stallOnce("merges.txt", 10_000);
        HubSettings s = settings(hub, cache).withTimeouts(Duration.ofSeconds(5), Duration.ofMillis(300));
        Path folder = download(s, GPT2, "main").folder();
        assertThat(Files.readAllBytes(folder.resolve("merges.txt"))).isEqualTo(fixture("a", "merges.txt"));
        assertThat(hub.requests().stream().filter(r -> r.path().endsWith("/merges.txt") && r.method().equals("GET")))
                .extracting(StandInHub.Request::range).containsExactly(null, "bytes=10000-");
    }

    @Test
    void aServerThatIgnoresRangeIsReadFromTheStart() throws IOException {
        hub.repo("openai-community/gpt2", Fixtures.modelDir("a"));
        hub.ignoreRange(true);
        hub.cutOnce("model.safetensors", 2_000_000);
        Path folder = download(GPT2, "main").folder();
        assertThat(Files.readAllBytes(folder.resolve("model.safetensors"))).isEqualTo(fixture("a", "model.safetensors"));
    }

    @Test
    void aHubThatIgnoresRangeAndIsCutAtTheSamePlaceIsGivenUpAfterTheRetries() {
        hub.repo("openai-community/gpt2", Fixtures.modelDir("a"));
        hub.ignoreRange(true);
        hub.cutAlways("model.safetensors", 2_000_000);
        HubException e = hubError(Kind.UNREACHABLE, () -> download(GPT2, "main"));
        assertThat(e.getMessage()).contains("model.safetensors").contains("13933096");
        // Each try starts again at byte 0 and ends at (about) the cut: no try gets further than the ones before, so
        // after the retries (3 in FAST: 4 tries) it is given up, not tried until the overall cap of tries. A try can
        // end a little further than an earlier one when bytes in flight at a reset were lost the first time.
        assertThat(hub.count("cdn", "GET")).isBetween(4L, 8L);
        assertThat(tree(cache)).as("nothing but lock files").isEmpty();
    }

    @Test
    void aBodyLongerThanAnnouncedIsRefusedWithoutWritingMoreThanTheAnnouncedSize() throws IOException {
        hub.repo("openai-community/gpt2", Fixtures.modelDir("a"));
        long total = 0;
        for (String f : FILES_A) total += Files.size(Fixtures.modelDir("a").resolve(f));
        long announced = Files.size(Fixtures.modelDir("a").resolve("model.safetensors"));
        for (boolean withContentLength : new boolean[] {false, true}) {
            hub.overlong("model.safetensors", 16_000_000, withContentLength);
            long[] most = {0};
            HubException e = hubError(Kind.BAD_CONTENT, () -> {
                try (ModelDownloader d = new ModelDownloader(settings(hub, cache), FAST)) {
                    d.download(GPT2, "main", (done, t) -> most[0] = Math.max(most[0], done));
                }
            });
            assertThat(e.getMessage()).contains("model.safetensors").contains(Long.toString(announced)).contains("more than");
            assertThat(most[0]).as("bytes written (progress) with Content-Length " + withContentLength).isLessThanOrEqualTo(total);
            assertThat(tree(cache)).as("nothing but lock files").isEmpty();
        }
        assertThat(hub.count("cdn", "GET")).as("refused at once, not retried").isEqualTo(2);
    }

    @Test
    void aLeftoverOfAKilledProcessIsResumed() throws IOException {
        hub.repo("openai-community/gpt2", Fixtures.modelDir("a"));
        byte[] weights = fixture("a", "model.safetensors");
        String sha = StandInHub.sha256(weights);
        Path blobs = Files.createDirectories(cache.resolve("models--openai-community--gpt2/blobs"));
        Files.write(blobs.resolve(sha + ".incomplete"), Arrays.copyOf(weights, 5_000_000));
        Path folder = download(GPT2, "main").folder();
        assertThat(Files.readAllBytes(folder.resolve("model.safetensors"))).isEqualTo(weights);
        assertThat(hub.requests().stream().filter(r -> r.server().equals("cdn"))).extracting(StandInHub.Request::range)
                .containsExactly("bytes=5000000-");
        assertThat(blobs.resolve(sha + ".incomplete")).doesNotExist();
    }

    @Test
    void aLeftoverThatIsNotAPrefixIsDownloadedAgainFromTheStart() throws IOException {
        hub.repo("openai-community/gpt2", Fixtures.modelDir("a"));
        byte[] weights = fixture("a", "model.safetensors");
        String sha = StandInHub.sha256(weights);
        Path blobs = Files.createDirectories(cache.resolve("models--openai-community--gpt2/blobs"));
        Files.write(blobs.resolve(sha + ".incomplete"), new byte[1000]);
        Path folder = download(GPT2, "main").folder();
        assertThat(Files.readAllBytes(folder.resolve("model.safetensors"))).isEqualTo(weights);
    }

    @Test
    void aWrongSha256IsRejectedAndTheCacheIsLeftAsItWas() {
        hub.repo("openai-community/gpt2", Fixtures.modelDir("a"));
        hub.lieAboutSha256("model.safetensors");
        HubException e = hubError(Kind.BAD_CONTENT, () -> download(GPT2, "main"));
        assertThat(e.getMessage()).contains("model.safetensors").contains("openai-community/gpt2").contains("sha256");
        Path blobs = cache.resolve("models--openai-community--gpt2/blobs");
        if (Files.exists(blobs)) {
            try (Stream<Path> b = Files.list(blobs)) {
                assertThat(b).isEmpty();
            } catch (IOException x) {
                throw new AssertionError(x);
            }
        }
        assertThat(tree(cache)).as("nothing but lock files").isEmpty();
    }

    @Test
    void aFailedDownloadOfAnotherRevisionLeavesTheCachedOneUntouched() {
        StandInHub.Repo repo = hub.repo("openai-community/gpt2", Fixtures.modelDir("a"));
        download(GPT2, "main");
        Map<String, String> before = tree(cache);
        repo.ref("v2", Fixtures.modelDir("b"));
        hub.lieAboutSha256("pytorch_model.bin");
        hubError(Kind.BAD_CONTENT, () -> download(GPT2, "v2"));
        assertThat(tree(cache)).isEqualTo(before);
    }

    @Test
    void aPrivateRepoNeedsTheTokenWhichNeverReachesTheCdn() throws IOException {
        hub.repo("acme/private-gpt2", Fixtures.modelDir("a")).token("hf_secret");
        RepoId repo = RepoId.parse("acme/private-gpt2");
        HubException e = hubError(Kind.UNAUTHORIZED, () -> download(repo, "main"));
        assertThat(e.getMessage()).contains("401").contains("acme/private-gpt2").contains("HF_TOKEN").contains("huggingface-cli login");

        HubException wrong = hubError(Kind.UNAUTHORIZED, () -> download(new HubSettings(cache, hub.endpoint(), "hf_wrong", false), repo, "main"));
        assertThat(wrong.getMessage()).contains("not valid");

        // The token as huggingface-cli login leaves it: HF_HOME/token.
        Path hfHome = Files.createDirectories(tmp.resolve("hf-home"));
        Files.writeString(hfHome.resolve("token"), "hf_secret\n");
        HubSettings fromFile = HubSettings.fromEnvironment(Map.of("HF_HOME", hfHome.toString(), "HF_ENDPOINT", hub.endpoint()));
        assertThat(fromFile.token()).isEqualTo("hf_secret");
        assertThat(fromFile.cacheDir()).isEqualTo(hfHome.resolve("hub"));
        hub.clearRequests();
        ModelDownloader.Snapshot s = download(fromFile, repo, "main");
        assertThat(ModelFiles.complete(s.folder())).isTrue();
        assertThat(hub.requests().stream().filter(r -> r.server().equals("hub"))).allMatch(r -> "Bearer hf_secret".equals(r.authorization()));
        assertThat(hub.requests().stream().filter(r -> r.server().equals("cdn"))).isNotEmpty().allMatch(r -> r.authorization() == null);
    }

    @Test
    void aGatedRepoSaysHowToGetAccess() {
        hub.repo("acme/gated-gpt2", Fixtures.modelDir("a")).gated("hf_granted");
        hub.validToken("hf_other");
        HubException e = hubError(Kind.GATED, () -> download(new HubSettings(cache, hub.endpoint(), "hf_other", false), RepoId.parse("acme/gated-gpt2"), "main"));
        assertThat(e.getMessage()).contains("gated").contains(hub.endpoint() + "/acme/gated-gpt2");
        download(new HubSettings(cache, hub.endpoint(), "hf_granted", false), RepoId.parse("acme/gated-gpt2"), "main");
    }

    @Test
    void noSuchRepo() {
        HubException anonymous = hubError(Kind.UNAUTHORIZED, () -> download(RepoId.parse("acme/nothing"), "main"));
        assertThat(anonymous.getMessage()).contains("acme/nothing").contains("does not exist").contains("HF_TOKEN");
        hub.validToken("hf_valid");
        HubException withToken = hubError(Kind.REPO_NOT_FOUND,
                () -> download(new HubSettings(cache, hub.endpoint(), "hf_valid", false), RepoId.parse("acme/nothing"), "main"));
        assertThat(withToken.getMessage()).contains("repository acme/nothing not found on " + hub.endpoint());
        assertThat(tree(cache)).isEmpty();
    }

    @Test
    void noSuchRevision() {
        hub.repo("openai-community/gpt2", Fixtures.modelDir("a"));
        HubException e = hubError(Kind.REVISION_NOT_FOUND, () -> download(GPT2, "v9.9"));
        assertThat(e.getMessage()).contains("'v9.9'").contains("openai-community/gpt2").contains("--revision");
    }

    @Test
    void noSuchFile() {
        hub.repo("acme/no-config", Fixtures.modelDir("a")).without("main", "config.json");
        HubException e = hubError(Kind.ENTRY_NOT_FOUND, () -> download(RepoId.parse("acme/no-config"), "main"));
        assertThat(e.getMessage()).contains("acme/no-config has no config.json");
        hub.repo("acme/no-weights", Fixtures.modelDir("a")).without("main", "model.safetensors");
        HubException w = hubError(Kind.ENTRY_NOT_FOUND, () -> download(RepoId.parse("acme/no-weights"), "main"));
        assertThat(w.getMessage()).contains("neither model.safetensors nor pytorch_model.bin");
        assertThat(tree(cache)).isEmpty();
    }

    @Test
    void hubUnreachableAndNothingCached() {
        hub.stop();
        try (ModelDownloader d = new ModelDownloader(settings(hub, cache), FAST)) {
            HubException e = hubError(Kind.UNREACHABLE, () -> d.resolve(GPT2, "main", Progress.NONE));
            assertThat(e.getMessage()).contains("cannot reach").contains(hub.endpoint()).contains("not in the Hugging Face cache at " + cache);
            hubError(Kind.UNREACHABLE, () -> d.download(GPT2, "main", Progress.NONE));
        }
    }

    @Test
    void offlineAndNotCached() {
        hub.repo("openai-community/gpt2", Fixtures.modelDir("a"));
        try (ModelDownloader d = new ModelDownloader(settings(hub, cache).withOffline(true), FAST)) {
            HubException e = hubError(Kind.OFFLINE_NOT_CACHED, () -> d.resolve(GPT2, "main", Progress.NONE));
            assertThat(e.getMessage()).contains("HF_HUB_OFFLINE").contains("openai-community/gpt2").contains(cache.toString());
            hubError(Kind.OFFLINE_NOT_CACHED, () -> d.download(GPT2, "main", Progress.NONE));
        }
        assertThat(hub.requestCount()).isZero();
    }

    @Test
    void aPassingServerErrorIsRetried() {
        hub.repo("openai-community/gpt2", Fixtures.modelDir("a"));
        hub.failNextWith(503);
        assertThat(ModelFiles.complete(download(GPT2, "main").folder())).isTrue();
    }

    @Test
    void pytorchModelBinAndTokenizerJsonWhenThatIsWhatTheRepoHas() throws IOException {
        hub.repo("acme/gpt2-b", Fixtures.modelDir("b"));
        ModelDownloader.Snapshot s = download(RepoId.parse("acme/gpt2-b"), "main");
        assertThat(s.files()).containsExactly("config.json", "tokenizer_config.json", "vocab.json", "merges.txt", "tokenizer.json", "pytorch_model.bin");
        assertThat(Files.readAllBytes(s.folder().resolve("pytorch_model.bin"))).isEqualTo(fixture("b", "pytorch_model.bin"));
    }

    @Test
    void branchesTagsAndCommits() throws IOException {
        StandInHub.Repo repo = hub.repo("openai-community/gpt2", Fixtures.modelDir("a")).ref("refs/pr/1", Fixtures.modelDir("b"));
        ModelDownloader.Snapshot pr = download(GPT2, "refs/pr/1");
        assertThat(pr.commit()).isEqualTo(repo.commit("refs/pr/1"));
        Path repoDir = cache.resolve("models--openai-community--gpt2");
        assertThat(Files.readString(repoDir.resolve("refs/refs/pr/1"))).isEqualTo(repo.commit("refs/pr/1"));
        assertThat(hub.requests().get(0).path()).isEqualTo("/openai-community/gpt2/resolve/refs%2Fpr%2F1/config.json");

        ModelDownloader.Snapshot byCommit = download(GPT2, repo.commit());
        assertThat(byCommit.folder()).isEqualTo(repoDir.resolve("snapshots").resolve(repo.commit()));
        try (Stream<Path> refs = Files.walk(repoDir.resolve("refs"))) {
            assertThat(refs.filter(Files::isRegularFile).map(p -> repoDir.resolve("refs").relativize(p).toString())).containsExactly("refs/pr/1");
        }
        // The two revisions share the blobs they have in common (vocab.json, merges.txt, ...).
        assertThat(Files.readSymbolicLink(pr.folder().resolve("vocab.json"))).isEqualTo(Files.readSymbolicLink(byCommit.folder().resolve("vocab.json")));
    }

    @Test
    void aRenamedRepoIsFollowedByItsRelativeRedirect() {
        hub.repo("openai-community/gpt2", Fixtures.modelDir("a"));
        hub.rename("gpt2-org/gpt2", "openai-community/gpt2");
        ModelDownloader.Snapshot s = download(RepoId.parse("gpt2-org/gpt2"), "main");
        assertThat(s.folder()).startsWith(cache.resolve("models--gpt2-org--gpt2"));
        assertThat(ModelFiles.complete(s.folder())).isTrue();
    }

    @Test
    void withoutSymbolicLinksTheSnapshotHoldsCopies() throws IOException {
        hub.repo("openai-community/gpt2", Fixtures.modelDir("a"));
        Path folder = download(settings(hub, cache).withSymlinks(false), GPT2, "main").folder();
        for (String f : FILES_A) {
            assertThat(Files.isSymbolicLink(folder.resolve(f))).isFalse();
            assertThat(Files.readAllBytes(folder.resolve(f))).isEqualTo(fixture("a", f));
        }
    }

    @Test
    void twoDownloadsAtOnceFetchEachBlobOnce() throws Exception {
        hub.repo("openai-community/gpt2", Fixtures.modelDir("a"));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Callable<Path> job = () -> download(GPT2, "main").folder();
            List<Future<Path>> results = pool.invokeAll(List.of(job, job));
            assertThat(results.get(0).get()).isEqualTo(results.get(1).get());
        } finally {
            pool.shutdownNow();
        }
        assertThat(hub.count("cdn", "GET")).isEqualTo(1);
        assertThat(hub.count("hub", "GET")).isEqualTo(4);
    }

    @Test
    void progressCountsTheBytesToDownload() throws IOException {
        hub.repo("openai-community/gpt2", Fixtures.modelDir("a"));
        long total = 0;
        for (String f : FILES_A) total += Files.size(Fixtures.modelDir("a").resolve(f));
        List<long[]> updates = new ArrayList<>();
        try (ModelDownloader d = new ModelDownloader(settings(hub, cache), FAST)) {
            d.download(GPT2, "main", (done, t) -> updates.add(new long[] {done, t}));
        }
        assertThat(updates).isNotEmpty();
        long expected = total;
        assertThat(updates).allMatch(u -> u[1] == expected && u[0] >= 0 && u[0] <= expected);
        assertThat(updates.getLast()[0]).isEqualTo(total);
        for (int i = 1; i < updates.size(); i++) assertThat(updates.get(i)[0]).isGreaterThanOrEqualTo(updates.get(i - 1)[0]);
    }
}
