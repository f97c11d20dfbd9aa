package dev.jlens.cli;

import dev.jlens.Fixtures;
import dev.jlens.testing.LauncherCopy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The real {@code ./jlens} script as a process ({@link LauncherCopy}): what a signal to it does and what reaches its stderr. */
class LauncherProcessTest {
    @TempDir
    Path root;

    private LauncherCopy copy;

    private ProcessBuilder command(String... args) throws IOException {
        if (copy == null) copy = LauncherCopy.make(root);
        return copy.command(args);
    }

    @AfterEach
    void removeLinks() throws IOException {
        if (copy != null) copy.close();
    }

    /**
     * SIGTERM to the launcher ends the JVM it started: a launcher that waited for its JVM as a child died alone and
     * left the server running with parent 1.
     */
    @Test
    void sigtermToTheLauncherStopsTheServer() throws Exception {
        Process launcher = command("serve", "--model", Fixtures.modelDir("a").toString(), "--port", "0").start();
        List<ProcessHandle> started = new ArrayList<>();
        try {
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(launcher.getErrorStream()));
            BufferedReader out = new BufferedReader(new InputStreamReader(launcher.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertThat(line).as("the server's first line").isNotNull().startsWith("jlens: serving ");
            Matcher url = Pattern.compile("at (http://\\S+) ").matcher(line);
            assertThat(url.find()).as(line).isTrue();
            URI uri = URI.create(url.group(1));
            started.add(launcher.toHandle());
            launcher.toHandle().descendants().forEach(started::add);

            Process kill = new ProcessBuilder("kill", "-TERM", Long.toString(launcher.pid())).inheritIO().start();
            assertThat(kill.waitFor()).isZero();
            assertThat(launcher.waitFor(30, TimeUnit.SECONDS)).as("the launcher ended").isTrue();
            for (ProcessHandle p : started) {
                try {
                    p.onExit().get(30, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException stillRunning) {
                    // reported below, with its command line
                }
                assertThat(p.isAlive()).as("30 s after the SIGTERM, process " + p.pid() + " (parent " + p.parent().map(ProcessHandle::pid).orElse(-1L)
                        + ") still runs: " + p.info().commandLine().orElse("")).isFalse();
            }
            assertThat(listening(uri)).as("something still listens at " + uri).isFalse();
            assertThat(err.get(30, TimeUnit.SECONDS)).as("stderr").doesNotContain("WARNING: Using incubator modules");
        } finally {
            for (ProcessHandle p : started) p.destroyForcibly();
        }
    }

    /** The JVM's incubator warning is not shown; what jlens says is, and so is what the JVM says when it cannot start. */
    @Test
    void stderrHoldsWhatJlensAndAFailingJvmSayButNotTheIncubatorWarning() throws Exception {
        Process ok = command("--version").start();
        CompletableFuture<String> okErr = CompletableFuture.supplyAsync(() -> read(ok.getErrorStream()));
        assertThat(read(ok.getInputStream())).matches("jlens \\d+\\.\\d+\\.\\d+\\n");
        assertThat(ok.waitFor()).isZero();
        assertThat(okErr.get()).isEmpty();

        Process refused = command("test-prompt", "--model", Fixtures.modelDir("a").toString(), "--promt", "x", "--answer", "y").start();
        CompletableFuture<String> refusedErr = CompletableFuture.supplyAsync(() -> read(refused.getErrorStream()));
        assertThat(read(refused.getInputStream())).isEmpty();
        assertThat(refused.waitFor()).isEqualTo(2);
        assertThat(refusedErr.get()).isEqualTo("jlens: unknown option '--promt'; did you mean '--prompt'? (see: jlens test-prompt --help)\n");

        ProcessBuilder badOptions = command("--version");
        badOptions.environment().put("JLENS_JAVA_OPTS", "-XX:+NoSuchJvmOption");
        Process bad = badOptions.start();
        CompletableFuture<String> badErr = CompletableFuture.supplyAsync(() -> read(bad.getErrorStream()));
        read(bad.getInputStream());
        assertThat(bad.waitFor()).isNotZero();
        assertThat(badErr.get()).contains("NoSuchJvmOption");
    }

    private static boolean listening(URI uri) {
        try (Socket s = new Socket(uri.getHost(), uri.getPort())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
