package dev.jlens.cli;

import dev.jlens.Fixtures;
import dev.jlens.io.Checkpoint;
import dev.jlens.sae.SaeFixtures;
import dev.jlens.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code jlens sae info}, {@code jlens sae features} and {@code jlens cache --sae}, checked against the SAE fixtures. */
class SaeCommandsTest {
    private static final String MODEL = Fixtures.modelDir("a").toString();

    @TempDir
    Path tmp;

    private static String folder(String sae) {
        return SaeFixtures.folder(sae).toString();
    }

    @Test
    void infoReadsTheOldConfigFormatWithItsOldFieldNames() {
        CliRunner.Result r = CliRunner.run("sae", "info", folder("standard-legacy"));
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("architecture: standard\n", "hook_name: blocks.1.hook_resid_pre\n", "d_in: 64\n", "d_sae: 256\n",
                "apply_b_dec_to_input: true\n", "normalize_activations: none\n", "SAELens before 6",
                "tensors: W_enc, W_dec, b_dec, b_enc\n", "sparsity: log10 firing frequency of 256 features");
    }

    @Test
    void infoTurnsAVersion5TopKActivationIntoTheTopKArchitecture() {
        CliRunner.Result r = CliRunner.run("sae", "info", folder("topk-v5-layernorm"));
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("architecture: topk (k 5)\n", "normalize_activations: layer_norm\n", "SAELens before 6 (5.11.0)");
        CliRunner.Result gated = CliRunner.run("sae", "info", folder("gated"));
        assertThat(gated.out()).contains("architecture: gated\n", "hook_name: blocks.2.hook_resid_mid\n", "SAELens 6 (6.18.0)", "tensors: W_enc, W_dec, b_dec, b_gate, b_mag, r_mag\n");
    }

    @Test
    void featuresAreTheLargestActivationsPerPositionOfTheReference() {
        CliRunner.Result r = CliRunner.run("sae", "features", "--model", MODEL, "--sae", folder("standard"), "--prompt", Fixtures.PET_PROMPT, "--top-k", "3");
        assertThat(r.exitCode()).as(r.err()).isZero();
        // with the error term the SAE's features are those of the run without it (same input)
        Tensor acts = SaeFixtures.tensor("reference.safetensors", "standard/blocks.2.hook_mlp_out.hook_sae_acts_post");
        String[] lines = r.out().split("\n");
        assertThat(lines).hasSize(1 + acts.shape(0));
        for (int p = 0; p < acts.shape(0); p++) {
            float[] row = acts.get(p).toArray();
            Integer[] order = new Integer[row.length];
            for (int j = 0; j < row.length; j++) order[j] = j;
            Arrays.sort(order, (a, b) -> Float.compare(row[b], row[a]));
            int active = 0;
            for (float v : row) if (v > 0) active++;
            String[] cells = lines[1 + p].split("\t");
            assertThat(cells[0]).isEqualTo(String.valueOf(p));
            assertThat(cells[2]).isEqualTo("l0=" + active);
            for (int i = 0; i < 3; i++) {
                String[] f = cells[3 + i].split(":");
                assertThat(Integer.parseInt(f[0])).as("position " + p + " rank " + i).isEqualTo(order[i]);
                assertThat(Float.parseFloat(f[1])).isCloseTo(row[order[i]], org.assertj.core.data.Offset.offset(2e-3f));
            }
        }
    }

    @Test
    void cacheWithAllSevenSaesHoldsTheirHookPointsBesideTheModelsOwn() {
        for (boolean error : new boolean[]{false, true}) {
            JsonNode run = run(error ? "all+error" : "all");
            List<String> args = new ArrayList<>(List.of("cache", "--model", MODEL, "--prompt", Fixtures.PET_PROMPT, "--out", tmp.resolve("c" + error + ".safetensors").toString()));
            for (JsonNode s : run.get("saes")) args.addAll(List.of("--sae", folder(s.asString())));
            if (error) args.add("--use-error-term");
            CliRunner.Result r = CliRunner.run(args.toArray(String[]::new));
            assertThat(r.exitCode()).as(r.err()).isZero();
            try (Checkpoint c = Checkpoint.open(tmp.resolve("c" + error + ".safetensors"))) {
                assertThat(c.names()).contains("blocks.0.hook_resid_pre", "blocks.3.attn.hook_pattern", "unembed.hook_out");
                for (Map.Entry<String, JsonNode> e : run.get("expect").properties()) {
                    int[] shape = Arrays.stream(c.info(e.getKey()).shape()).mapToInt(Math::toIntExact).toArray();
                    SaeFixtures.assertClose(e.getKey(), Tensor.of(c.readFloat32(e.getKey()), shape), SaeFixtures.tensor("reference.safetensors", e.getValue().asString()));
                }
            }
        }
    }

    private static JsonNode run(String name) {
        for (JsonNode r : SaeFixtures.reference().get("runs")) if (r.get("name").asString().equals(name)) return r;
        throw new AssertionError(name);
    }
}
