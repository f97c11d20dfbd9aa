package dev.jlens.cli;

import dev.jlens.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code jlens report} and {@code jlens serve} on the command line. */
class ReportCommandTest {
    private final String modelA = Fixtures.modelDir("a").toString();

    @Test
    void writesOneSelfContainedPage(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("numbers.html");
        CliRunner.Result r = CliRunner.run("report", "--spec", "examples/numbers.json", "--model", modelA, "--out", out.toString(), "--top-k", "5");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).isEqualTo("jlens: wrote " + out + " (" + ProgressBar.bytes(Files.size(out)) + ")\n");
        assertThat(r.out()).isEmpty();
        String html = Files.readString(out);
        assertThat(html).startsWith("<!DOCTYPE html>").contains("id=\"per-head\"").contains("id=\"patching-block_every\"")
                .contains("&quot;1 2 3 4&quot;").contains("--model " + modelA).contains("Apache Software Foundation");
        assertThat(html).doesNotContain("<script src").doesNotContain("<link rel=\"stylesheet\"");
        assertThat(html.split("<tr>", -1).length - 1).as("table rows").isGreaterThanOrEqualTo(1 + 5 + 2);
        assertThat(dir.toFile().list()).containsExactly("numbers.html");
    }

    @Test
    void badInputIsOneLineAndNoFile(@TempDir Path dir) {
        Path out = dir.resolve("R.html");
        CliRunner.Result missing = CliRunner.run("report", "--spec", dir.resolve("none.json").toString(), "--model", modelA, "--out", out.toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.errLines()).hasSize(1);
        assertThat(missing.err()).contains("no such experiment file");
        CliRunner.Result topK = CliRunner.run("report", "--spec", "examples/numbers.json", "--model", modelA, "--out", out.toString(), "--top-k", "-1");
        assertThat(topK.errLines()).hasSize(1);
        assertThat(topK.err()).contains("--top-k must be between 0 and 1000");
        CliRunner.Result noFolder = CliRunner.run("report", "--spec", "examples/numbers.json", "--model", modelA,
                "--out", dir.resolve("no/such/folder/R.html").toString());
        assertThat(noFolder.errLines()).hasSize(1);
        assertThat(noFolder.err()).contains("cannot be written");
        assertThat(out).doesNotExist();
    }

    @Test
    void servePrintsItsAddressAndStopsWhenInterrupted() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        Main.Streams streams = new Main.Streams(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                false, Map.of("HF_HUB_OFFLINE", "1"));
        int[] code = {-1};
        Thread serving = new Thread(() -> code[0] = Main.run(new String[] {"serve", "--model", modelA, "--port", "0"}, streams));
        serving.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!out.toString(StandardCharsets.UTF_8).contains("http://") && System.nanoTime() < deadline) Thread.sleep(20);
        String line = out.toString(StandardCharsets.UTF_8).strip();
        assertThat(line).matches("jlens: serving .*tiny-gpt2-a at http://127\\.0\\.0\\.1:\\d+/ \\(Ctrl-C stops\\)");
        URI uri = URI.create(line.replaceAll(".* at (http://\\S+) .*", "$1"));
        HttpResponse<String> info = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri.resolve("/api/model")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(info.body()).contains("\"n_layers\":4");
        serving.interrupt();
        serving.join(10_000);
        assertThat(serving.isAlive()).isFalse();
        assertThat(code[0]).isZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void onlyANonLoopbackHostIsWarnedAbout() {
        assertThat(ServeCommand.ownAddress("127.0.0.1").isLoopbackAddress()).isTrue();
        assertThat(ServeCommand.ownAddress("localhost").isLoopbackAddress()).isTrue();
        assertThat(ServeCommand.ownAddress("::1").isLoopbackAddress()).isTrue();
        assertThat(ServeCommand.ownAddress("0.0.0.0").isLoopbackAddress()).isFalse();
    }

    @Test
    void helpNamesTheOptions() {
        assertThat(CliRunner.run("report", "--help").out()).contains("--spec").contains("--out").contains("--top-k");
        assertThat(CliRunner.run("serve", "--help").out()).contains("--host").contains("--port").contains("127.0.0.1").contains("--sae").contains("--use-error-term");
    }
}
