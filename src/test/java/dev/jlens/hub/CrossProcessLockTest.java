package dev.jlens.hub;

import dev.jlens.Fixtures;
import dev.jlens.util.Progress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The blob lock holds against another process (a second JVM holding the lock file), not only other threads. */
class CrossProcessLockTest {
    @Test
    void aBlobLockedByAnotherProcessIsWaitedFor(@TempDir Path tmp) throws Exception {
        try (StandInHub hub = StandInHub.start()) {
            hub.repo("openai-community/gpt2", Fixtures.modelDir("a"));
            Path cache = tmp.resolve("hub");
            RepoId repo = RepoId.parse("openai-community/gpt2");
            String sha = StandInHub.sha256(Files.readAllBytes(Fixtures.modelDir("a").resolve("model.safetensors")));
            Path lockFile = new HubCache(cache, true).lockFile(repo, sha);

            String java = ProcessHandle.current().info().command().orElse("java");
            long holdMillis = 1500;
            Process other = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), LockHolder.class.getName(),
                    lockFile.toString(), Long.toString(holdMillis)).redirectErrorStream(true).start();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8));
                assertThat(out.readLine()).isEqualTo("locked");
                long start = System.nanoTime();
                try (ModelDownloader d = new ModelDownloader(HubTesting.settings(hub, cache), HubTesting.FAST)) {
                    d.download(repo, "main", Progress.NONE);
                }
                long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertThat(waitedMillis).as("the download waited for the other process's lock").isGreaterThanOrEqualTo(holdMillis - 300);
                assertThat(other.waitFor(10, TimeUnit.SECONDS)).isTrue();
                assertThat(other.exitValue()).isZero();
            } finally {
                other.destroyForcibly();
            }
        }
    }
}
