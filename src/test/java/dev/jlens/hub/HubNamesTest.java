package dev.jlens.hub;

import dev.jlens.JlensException;
import dev.jlens.testing.RandomCases;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Repo ids, revisions, ETags and file names: what may reach a URL or a cache path. */
class HubNamesTest {
    @Test
    void repoIds() {
        RepoId r = RepoId.parse("openai-community/gpt2");
        assertThat(r.cacheFolderName()).isEqualTo("models--openai-community--gpt2");
        assertThat(r.toString()).isEqualTo("openai-community/gpt2");
        assertThat(RepoId.isRepoId("distilbert/distilgpt2")).isTrue();
        assertThat(RepoId.isRepoId("EleutherAI/pythia-70m.v1_0")).isTrue();
        for (String bad : new String[] {"gpt2", "a/b/c", "/gpt2", "org/", "org/na--me", "org/..", "../x", "org/-x", "org/x.git", "org/x y", "o/" + "x".repeat(95)}) {
            assertThat(RepoId.isRepoId(bad)).as(bad).isFalse();
            assertThatThrownBy(() -> RepoId.parse(bad)).as(bad).isInstanceOf(JlensException.class).hasMessageContaining("repo id");
        }
    }

    @Test
    void revisions() {
        for (String ok : new String[] {"main", "v1.0", "refs/pr/1", "0123456789abcdef0123456789abcdef01234567", "my_branch-2"}) {
            assertThat(Revision.check(ok)).isEqualTo(ok);
        }
        for (String bad : new String[] {"", "../main", "refs/../x", "/main", "a//b", "x y", "a\\b", "main.lock"}) {
            assertThatThrownBy(() -> Revision.check(bad)).as(bad).isInstanceOf(JlensException.class).hasMessageContaining("revision");
        }
        assertThat(Revision.isCommitHash("0123456789abcdef0123456789abcdef01234567")).isTrue();
        assertThat(Revision.isCommitHash("0123456")).isFalse();
        assertThat(Revision.isCommitHash("0123456789ABCDEF0123456789abcdef01234567")).isFalse();
    }

    @Test
    void revisionsNeverLeaveRefs() {
        HubCache cache = new HubCache(Path.of("/cache"), true);
        RepoId repo = RepoId.parse("a/b");
        RandomCases.run(5, 2000, r -> {
            String rev = RandomCases.fromAlphabet(r, "ab./-_", 12);
            try {
                Revision.check(rev);
            } catch (JlensException e) {
                return;
            }
            Path ref = cache.repoDir(repo).resolve("refs").resolve(rev).normalize();
            assertThat(ref).as(rev).startsWithRaw(Path.of("/cache/models--a--b/refs"));
            assertThat(ref).as(rev).isNotEqualTo(Path.of("/cache/models--a--b/refs"));
        });
    }

    @Test
    void etagsAreNormalizedAsHuggingfaceHubDoes() {
        assertThat(HubClient.normalizeEtag("\"abc\"")).isEqualTo("abc");
        assertThat(HubClient.normalizeEtag("W/\"abc\"")).isEqualTo("abc");
        assertThat(HubClient.normalizeEtag("abc")).isEqualTo("abc");
        for (String bad : new String[] {"../x", "a/b", ".hidden", "", "x y"}) {
            assertThatThrownBy(() -> HubCache.checkEtag(bad)).as(bad).isInstanceOf(HubException.class);
        }
    }

    @Test
    void filesAndRevisionsAreQuotedAsInTheResolveUrl() {
        try (HubClient c = new HubClient(new HubSettings(Path.of("/c"), "http://127.0.0.1:1/prefix", null, false))) {
            assertThat(c.resolveUrl(RepoId.parse("a/b"), "refs/pr/1", "sub dir/model.safetensors").toString())
                    .isEqualTo("http://127.0.0.1:1/prefix/a/b/resolve/refs%2Fpr%2F1/sub%20dir/model.safetensors");
        }
        assertThat(HubClient.percentEncode("ü~_.-", false)).isEqualTo("%C3%BC~_.-");
    }

    @Test
    void theTokenGoesOnlyToTheEndpointsOrigin() {
        java.net.URI hub = java.net.URI.create("https://huggingface.co");
        assertThat(HubClient.sameOrigin(java.net.URI.create("https://huggingface.co:443/a/b"), hub)).isTrue();
        assertThat(HubClient.sameOrigin(java.net.URI.create("https://HuggingFace.co/x"), hub)).isTrue();
        assertThat(HubClient.sameOrigin(java.net.URI.create("https://cdn-lfs.huggingface.co/x"), hub)).isFalse();
        assertThat(HubClient.sameOrigin(java.net.URI.create("http://huggingface.co/x"), hub)).isFalse();
        assertThat(HubClient.sameOrigin(java.net.URI.create("https://huggingface.co:8443/x"), hub)).isFalse();
    }

    @Test
    void snapshotFilesStayInTheirSnapshot() {
        HubCache cache = new HubCache(Path.of("/cache"), true);
        RepoId repo = RepoId.parse("a/b");
        String commit = "0123456789abcdef0123456789abcdef01234567";
        assertThat(cache.snapshotFile(repo, commit, "onnx/model.onnx")).isEqualTo(Path.of("/cache/models--a--b/snapshots/" + commit + "/onnx/model.onnx"));
        for (String bad : new String[] {"../x", "a/../../x", "/etc/passwd", "a//b", "", "a\\b"}) {
            assertThatThrownBy(() -> cache.snapshotFile(repo, commit, bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> cache.snapshotDir(repo, "main")).isInstanceOf(IllegalArgumentException.class);
        assertThat(cache.lockFile(repo, "abc")).isEqualTo(Path.of("/cache/.locks/models--a--b/abc.lock"));
    }
}
