package dev.jlens.cli;

import dev.jlens.Fixtures;
import dev.jlens.sae.SaeFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Experiment files with {@code "saes"}: {@code analyze} and {@code report} run the seed's analysis with the SAEs spliced
 * in and add their features; a bad SAE entry is one line naming the file and the entry, and nothing is written.
 */
class ExperimentWithSaesTest {
    private static final String A = Fixtures.modelDir("a").toString();
    private static final String CORRUPTED = "Mary is a human. Fido is a dog. The pet of this family is Fido. Pebbles is a cat. Rachel is a human. The pet of this family is";

    @TempDir
    Path dir;

    private Path spec(String saes, String more) throws IOException {
        return Files.writeString(dir.resolve("E.json"), "{\"prompts\": [\"" + Fixtures.PET_PROMPT + "\"], \"answers\": [[\" Peb\", \" Rachel\"]], "
                + "\"corrupted_prompts\": [\"" + CORRUPTED + "\"], \"patching\": [\"resid_pre\"], \"saes\": " + saes + more + "}");
    }

    private static String folder(String sae) {
        return SaeFixtures.folder(sae).toString();
    }

    @Test
    void analyzeAndReportRunWithTheSaesSplicedIn() throws IOException {
        Path spec = spec("[\"" + folder("standard") + "\", \"" + folder("jumprelu") + "\"]", ", \"use_error_term\": true");
        Path out = dir.resolve("R.json");
        CliRunner.Result r = CliRunner.run("analyze", "--spec", spec.toString(), "--model", A, "--out", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode got = JsonMapper.shared().readTree(Files.readString(out));
        assertThat(got.get("saes")).hasSize(2);
        JsonNode first = got.get("saes").get(0);
        assertThat(first.get("hook_name").asString()).isEqualTo("blocks.2.hook_mlp_out");
        assertThat(first.get("method").asString()).isEqualTo("patching");
        assertThat(first.get("use_error_term").asBoolean()).isTrue();
        assertThat(first.get("top_features")).hasSize(10);
        assertThat(first.get("l0_mean").asDouble()).isCloseTo(SaeFixtures.reference().get("saes").get("standard").get("single_run_stats").get("l0_mean").asDouble(),
                org.assertj.core.data.Offset.offset(1e-6));
        // with the error terms the model's outputs, so its patching sweep, are the plain model's
        JsonNode ref = Fixtures.reference("a").get("cases").get("pets_sentence_swap");
        Fixtures.assertClose("resid_pre", Fixtures.floats(got.get("patching").get("resid_pre").get("values")), Fixtures.floats(ref.get("get_act_patch_resid_pre")));

        Path html = dir.resolve("R.html");
        CliRunner.Result report = CliRunner.run("report", "--spec", spec.toString(), "--model", A, "--out", html.toString());
        assertThat(report.exitCode()).as(report.err()).isZero();
        assertThat(Files.readString(html)).contains("id=\"sae-features\"", "id=\"sae-features-0\"", "id=\"sae-features-1\"", "id=\"sae-activations-1\"",
                "blocks.0.hook_resid_post", "&quot;use_error_term&quot;: true");
    }

    @Test
    void anSaeThatDoesNotExistIsOneLineNamingTheEntry() throws IOException {
        Path spec = spec("[\"" + folder("standard") + "\", \"nope\"]", "");
        Path out = dir.resolve("R.json");
        CliRunner.Result r = Refused.run("analyze", "--spec", spec.toString(), "--model", A, "--out", out.toString());
        Refused.nothingWritten(out);
        assertThat(r.err()).isEqualTo("jlens: " + spec + ": saes[1]: SAE folder nope does not exist\n");
    }

    @Test
    void anSaeForAnotherModelIsOneLineNamingTheEntry() throws IOException {
        Path spec = spec("[\"" + folder("standard") + "\"]", "");
        Path out = dir.resolve("R.json");
        CliRunner.Result r = Refused.run("analyze", "--spec", spec.toString(), "--model", Fixtures.modelDir("b").toString(), "--out", out.toString());
        Refused.nothingWritten(out);
        assertThat(r.err()).startsWith("jlens: " + spec + ": saes[0]: " + folder("standard") + ": the SAE ");
    }

    @Test
    void theErrorTermWithoutSaesIsRefused() throws IOException {
        Path spec = Files.writeString(dir.resolve("E.json"), "{\"prompts\": [\"1 2\"], \"answers\": [[\" 3\", \" 4\"]], \"use_error_term\": true}");
        Path out = dir.resolve("R.json");
        CliRunner.Result r = Refused.run("analyze", "--spec", spec.toString(), "--model", A, "--out", out.toString());
        Refused.nothingWritten(out);
        assertThat(r.err()).isEqualTo("jlens: " + spec + ": \"use_error_term\" is for the SAEs in \"saes\", and none is given\n");
    }
}
