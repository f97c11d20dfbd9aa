package dev.jlens.cli;

import dev.jlens.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.jlens.Fixtures.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code jlens analyze}: the result JSON of design.md, and one clear line for every bad experiment file. */
class AnalyzeCommandTest {
    private final String modelA = Fixtures.modelDir("a").toString();

    @Test
    void writesTheSeedsAnalysisForAnExampleFile(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("ioi.json");
        CliRunner.Result r = CliRunner.run("analyze", "--spec", "examples/ioi.json", "--model", modelA, "--out", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).isEqualTo("jlens: wrote " + out + " (" + ProgressBar.bytes(Files.size(out)) + ")\n");
        JsonNode got = JsonMapper.shared().readTree(Files.readString(out));
        JsonNode ref = Fixtures.reference("a").get("cases").get("ioi");
        assertThat(got.get("tokens")).isEqualTo(ref.get("tokens"));
        assertThat(got.get("answer_tokens")).isEqualTo(ref.get("answer_tokens"));
        assertThat(got.get("corrupted_tokens")).isEqualTo(ref.get("corrupted_tokens"));
        for (String key : new String[] {"per_prompt_logit_diff", "logit_lens", "per_layer", "per_head"}) {
            assertClose(key, Fixtures.floats(got.get(key)), Fixtures.floats(ref.get(key)));
        }
        for (String key : new String[] {"average_logit_diff", "calculated_average_logit_diff", "corrupted_average_logit_diff"}) {
            assertClose(key, (float) got.get(key).asDouble(), ref.get(key).asDouble());
        }
        for (String key : new String[] {"logit_lens_labels", "per_layer_labels", "per_head_labels", "top3_positive_heads", "top3_negative_heads"}) {
            assertThat(got.get(key)).as(key).isEqualTo(ref.get(key));
        }
        for (String kind : new String[] {"resid_pre", "attn_head_out_all_pos", "attn_head_pattern_all_pos", "block_every"}) {
            JsonNode sweep = got.get("patching").get(kind);
            assertThat(sweep.get("shape")).as(kind).isEqualTo(ref.get("get_act_patch_" + kind + "_shape"));
            assertClose(kind, Fixtures.floats(sweep.get("values")), Fixtures.floats(ref.get("get_act_patch_" + kind)));
        }
    }

    private CliRunner.Result badSpec(Path dir, String json) throws IOException {
        Path spec = dir.resolve("E.json");
        Files.writeString(spec, json);
        Path out = dir.resolve("R.json");
        CliRunner.Result r = CliRunner.run("analyze", "--spec", spec.toString(), "--model", modelA, "--out", out.toString());
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.errLines()).as(r.err()).hasSize(1);
        assertThat(r.err()).startsWith("jlens: ").contains("E.json").doesNotContain("Exception");
        assertThat(out).doesNotExist();
        return r;
    }

    @Test
    void malformedJson(@TempDir Path dir) throws IOException {
        assertThat(badSpec(dir, "{\"prompts\": [\"a\",").err())
                .isEqualTo("jlens: " + dir.resolve("E.json") + ": not valid JSON (Unexpected end-of-input within/between Array entries at line 1, column 18)\n");
    }

    @Test
    void missingFile(@TempDir Path dir) {
        CliRunner.Result r = CliRunner.run("analyze", "--spec", dir.resolve("none.json").toString(), "--model", modelA, "--out", dir.resolve("R.json").toString());
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).contains("none.json").contains("no such experiment file");
    }

    @Test
    void answersNotMatchingPrompts(@TempDir Path dir) throws IOException {
        assertThat(badSpec(dir, "{\"prompts\": [\"a b\", \"c d\"], \"answers\": [[\" x\", \" y\"]]}").err())
                .contains("1 answer pairs for 2 prompts");
    }

    @Test
    void multiTokenAnswer(@TempDir Path dir) throws IOException {
        assertThat(badSpec(dir, "{\"prompts\": [\"The pet is\"], \"answers\": [[\" Pebbles\", \" Rachel\"]]}").err())
                .contains("answers[0][0]").contains("' Pebbles' is 2 tokens [' Peb', 'bles']");
    }

    @Test
    void corruptedPromptsOfAnotherLength(@TempDir Path dir) throws IOException {
        assertThat(badSpec(dir, "{\"prompts\": [\"1 2 3 4\"], \"answers\": [[\" 5\", \" 6\"]], "
                + "\"corrupted_prompts\": [\"1 2 3 4 5\"], \"patching\": [\"resid_pre\"]}").err())
                .contains("corrupted prompts are 6 tokens long but the prompts are 5");
    }

    @Test
    void unknownPatchingKind(@TempDir Path dir) throws IOException {
        assertThat(badSpec(dir, "{\"prompts\": [\"1 2\"], \"answers\": [[\" 3\", \" 4\"]], \"corrupted_prompts\": [\"1 3\"], "
                + "\"patching\": [\"resid_post\"]}").err())
                .contains("unknown patching kind \"resid_post\"").contains("attn_head_out_all_pos");
    }

    @Test
    void patchingWithoutCorruptedPrompts(@TempDir Path dir) throws IOException {
        assertThat(badSpec(dir, "{\"prompts\": [\"1 2\"], \"answers\": [[\" 3\", \" 4\"]], \"patching\": [\"resid_pre\"]}").err())
                .contains("\"patching\" needs \"corrupted_prompts\"");
    }

    @Test
    void wrongTypesAndUnknownFields(@TempDir Path dir) throws IOException {
        assertThat(badSpec(dir, "{\"prompts\": \"1 2\", \"answers\": []}").err()).contains("\"prompts\" must be a list of strings");
        assertThat(badSpec(dir, "{\"prompts\": [\"1 2\"], \"answers\": [[\" 3\"]]}").err()).contains("answers[0] must be a pair");
        assertThat(badSpec(dir, "{\"prompt\": [\"1 2\"]}").err()).contains("unknown field \"prompt\"");
        assertThat(badSpec(dir, "[]").err()).contains("must be a JSON object");
        assertThat(badSpec(dir, "{\"prompts\": [], \"answers\": []}").err()).contains("\"prompts\" is empty");
    }

    @Test
    void promptsOfDifferentLengths(@TempDir Path dir) throws IOException {
        assertThat(badSpec(dir, "{\"prompts\": [\"1 2 3\", \"1 2\"], \"answers\": [[\" 4\", \" 5\"], [\" 3\", \" 4\"]]}").err())
                .contains("prompts[1] is 3 tokens but prompts[0] is 4");
    }

    @Test
    void noModelAnywhere(@TempDir Path dir) throws IOException {
        Path spec = dir.resolve("E.json");
        Files.writeString(spec, "{\"prompts\": [\"1 2\"], \"answers\": [[\" 3\", \" 4\"]]}");
        CliRunner.Result r = CliRunner.run("analyze", "--spec", spec.toString(), "--out", dir.resolve("R.json").toString());
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).contains("no \"model\" given");
    }
}
