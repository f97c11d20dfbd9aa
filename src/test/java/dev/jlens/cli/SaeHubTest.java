package dev.jlens.cli;

import dev.jlens.Fixtures;
import dev.jlens.hub.StandInHub;
import dev.jlens.io.Checkpoint;
import dev.jlens.sae.SaeFixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code --sae REPO_ID/SUBFOLDER}: an SAE in SAELens' layout on a stand-in Hub, downloaded into the Hugging Face cache once. */
class SaeHubTest {
    private static final String REPO = "jbloom/GPT2-Small-SAEs-Reformatted";

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

    @Test
    void anSaeFolderOfARepositoryIsDownloadedOnceIntoTheCacheAndUsedOfflineAfterwards() {
        String commit = hub.repo(REPO, SaeFixtures.root()).commit();
        CliRunner.Result r = CliRunner.runWithEnv(env, "sae", "info", REPO + "/standard-legacy");
        assertThat(r.exitCode()).as(r.err()).isZero();
        Path snapshot = cache.resolve("models--jbloom--GPT2-Small-SAEs-Reformatted/snapshots").resolve(commit).resolve("standard-legacy");
        assertThat(r.out()).contains("sae: " + snapshot + "\n", "hook_name: blocks.1.hook_resid_pre\n", "sparsity: log10 firing frequency of 256 features");
        assertThat(Files.isSymbolicLink(snapshot.resolve("sae_weights.safetensors"))).isTrue();
        assertThat(snapshot.resolve("sparsity.safetensors")).exists();
        assertThat(hub.requests()).noneMatch(q -> q.path().contains("reference.safetensors")).noneMatch(q -> q.path().contains("/standard/"));

        hub.close();
        Path out = tmp.resolve("c.safetensors");
        CliRunner.Result cached = CliRunner.runWithEnv(env, "cache", "--model", Fixtures.modelDir("a").toString(), "--prompt", Fixtures.PET_PROMPT,
                "--out", out.toString(), "--sae", REPO + "/standard-legacy");
        assertThat(cached.exitCode()).as("the hub is stopped; the cache must do: " + cached.err()).isZero();
        try (Checkpoint c = Checkpoint.open(out)) {
            String key = "blocks.1.hook_resid_pre.hook_sae_acts_post";
            SaeFixtures.assertClose(key, dev.jlens.tensor.Tensor.of(c.readFloat32(key), 38, 256), SaeFixtures.tensor("reference.safetensors", "standard-legacy/" + key));
        }
    }

    @Test
    void aFolderTheRepositoryLacksIsOneLine() {
        hub.repo(REPO, SaeFixtures.root());
        CliRunner.Result r = Refused.runWithEnv(env, "sae", "info", REPO + "/blocks.99.hook_resid_pre");
        assertThat(r.err()).contains(REPO + "@main on " + hub.endpoint() + " has no blocks.99.hook_resid_pre/cfg.json");
    }

    @Test
    void aReleaseNameOfSaeLensNamesItsRepositoryAndFolder() throws java.io.IOException {
        Path repo = Files.createDirectories(tmp.resolve("repo/blocks.1.hook_resid_pre"));
        for (String f : new String[]{"cfg.json", "sae_weights.safetensors", "sparsity.safetensors"}) {
            Files.copy(SaeFixtures.folder("standard-legacy").resolve(f), repo.resolve(f));
        }
        String commit = hub.repo(REPO, tmp.resolve("repo")).commit();
        CliRunner.Result r = CliRunner.runWithEnv(env, "sae", "info", "gpt2-small-res-jb/blocks.1.hook_resid_pre");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("sae: " + cache.resolve("models--jbloom--GPT2-Small-SAEs-Reformatted/snapshots").resolve(commit).resolve("blocks.1.hook_resid_pre") + "\n");
        assertThat(Refused.runWithEnv(env, "sae", "info", "gpt2-small-res-jb/blocks.99.hook_resid_pre").err())
                .contains("SAE release gpt2-small-res-jb has no SAE 'blocks.99.hook_resid_pre'; it has 13: blocks.0.hook_resid_pre, blocks.1.hook_resid_pre,");
    }
}
