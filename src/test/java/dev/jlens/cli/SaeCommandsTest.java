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

    @Test
    void cacheWithAGradientSavesItAtTheSaesHookPoints() {
        String hook = "blocks.2.hook_mlp_out";
        Path plain = tmp.resolve("plain.safetensors"), spliced = tmp.resolve("sae.safetensors");
        List<String> args = List.of("cache", "--model", MODEL, "--prompt", Fixtures.PET_PROMPT, "--names", "blocks\\.2\\.hook_mlp_out.*",
                "--grad-of-logit-diff", " Peb", " Rachel", "--out");
        CliRunner.Result r = CliRunner.run(concat(args, plain.toString()).toArray(String[]::new));
        assertThat(r.exitCode()).as(r.err()).isZero();
        r = CliRunner.run(concat(concat(args, spliced.toString()), "--sae", folder("standard"), "--use-error-term").toArray(String[]::new));
        assertThat(r.exitCode()).as(r.err()).isZero();
        try (Checkpoint p = Checkpoint.open(plain); Checkpoint c = Checkpoint.open(spliced)) {
            // with the error term the model after the SAE is the plain model, and so is the gradient of its output
            float[] gOut = c.readFloat32(hook + ".hook_sae_output_grad");
            SaeFixtures.assertClose("hook_sae_output_grad", Tensor.of(gOut, gOut.length), Tensor.of(p.readFloat32(hook + "_grad"), gOut.length));
            // normalize_activations none: d metric / d acts_post = W_dec g_out, in float64 from the file
            Tensor wDec = SaeFixtures.tensor("standard/sae_weights.safetensors", "W_dec");
            int dSae = wDec.shape(0), dIn = wDec.shape(1), positions = gOut.length / dIn;
            float[] expected = new float[positions * dSae];
            for (int q = 0; q < positions; q++) {
                for (int j = 0; j < dSae; j++) {
                    double sum = 0;
                    for (int i = 0; i < dIn; i++) sum += (double) wDec.item(j, i) * gOut[q * dIn + i];
                    expected[q * dSae + j] = (float) sum;
                }
            }
            SaeFixtures.assertClose("hook_sae_acts_post_grad", Tensor.of(c.readFloat32(hook + ".hook_sae_acts_post_grad"), positions, dSae), Tensor.of(expected, positions, dSae));
        }
    }

    private static List<String> concat(List<String> a, String... more) {
        List<String> out = new ArrayList<>(a);
        out.addAll(List.of(more));
        return out;
    }

    @Test
    void logitEffectsAreTheDecoderRowThroughTheUnembeddingAsTransformerLensProcessesIt() {
        int feature = 17, k = 4;
        CliRunner.Result r = CliRunner.run("sae", "logit-effects", "--model", MODEL, "--sae", folder("standard"), "--feature", String.valueOf(feature), "--top-k", String.valueOf(k));
        assertThat(r.exitCode()).as(r.err()).isZero();
        // independently: W_U = wte^T with ln_f's weight folded in and centered over d_model (fold_ln with
        // center_weights), then over the vocabulary (center_unembed)
        double[] effect;
        try (Checkpoint m = Checkpoint.open(Fixtures.modelDir("a").resolve("model.safetensors"))) {
            float[] wte = m.readFloat32("transformer.wte.weight"), lnf = m.readFloat32("transformer.ln_f.weight");
            float[] row = SaeFixtures.tensor("standard/sae_weights.safetensors", "W_dec").get(feature).toArray();
            int d = lnf.length, vocab = wte.length / d;
            double[][] wU = new double[d][vocab];
            for (int t = 0; t < vocab; t++) {
                double mean = 0;
                for (int c = 0; c < d; c++) mean += lnf[c] * wte[t * d + c] / d;
                for (int c = 0; c < d; c++) wU[c][t] = lnf[c] * wte[t * d + c] - mean;
            }
            effect = new double[vocab];
            for (int c = 0; c < d; c++) {
                double mean = 0;
                for (int t = 0; t < vocab; t++) mean += wU[c][t] / vocab;
                for (int t = 0; t < vocab; t++) effect[t] += row[c] * (wU[c][t] - mean);
            }
        }
        Integer[] order = new Integer[effect.length];
        for (int t = 0; t < order.length; t++) order[t] = t;
        double[] e = effect;
        Arrays.sort(order, (a, b) -> Double.compare(e[b], e[a]));
        String[] lines = r.out().split("\n");
        assertThat(lines[0]).isEqualTo("feature 17 (blocks.2.hook_mlp_out)");
        for (int i = 0; i < k; i++) {
            String[] top = lines[1 + i].trim().split("\t"), bottom = lines[1 + k + i].trim().split("\t");
            assertThat(top[0]).isEqualTo("top");
            assertThat(Integer.parseInt(top[2])).isEqualTo(order[i]);
            assertThat(Double.parseDouble(top[1])).isCloseTo(effect[order[i]], org.assertj.core.data.Offset.offset(1e-3));
            assertThat(bottom[0]).isEqualTo("bottom");
            assertThat(Integer.parseInt(bottom[2])).isEqualTo(order[order.length - 1 - i]);
        }
    }

    private static JsonNode run(String name) {
        for (JsonNode r : SaeFixtures.reference().get("runs")) if (r.get("name").asString().equals(name)) return r;
        throw new AssertionError(name);
    }
}
