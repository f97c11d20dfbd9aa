package dev.jlens.cli;

import dev.jlens.Fixtures;
import dev.jlens.sae.SaeFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad SAE folders and SAE options: one line naming the input, exit code 1, no output file (docs/bad-inputs.md). */
class BadSaeInputsTest {
    private static final String MODEL = Fixtures.modelDir("a").toString();

    @TempDir
    Path tmp;

    /** A copy of a fixture SAE with its cfg.json edited as text. */
    private Path copy(String sae, UnaryOperator<String> cfgEdit) throws IOException {
        Path from = SaeFixtures.folder(sae), to = Files.createDirectories(tmp.resolve(sae));
        Files.writeString(to.resolve("cfg.json"), cfgEdit.apply(Files.readString(from.resolve("cfg.json"))));
        Files.copy(from.resolve("sae_weights.safetensors"), to.resolve("sae_weights.safetensors"));
        return to;
    }

    @Test
    void unknownArchitecture() throws IOException {
        Path sae = copy("standard", s -> s.replace("\"architecture\": \"standard\"", "\"architecture\": \"matryoshka\""));
        assertThat(Refused.run("sae", "info", sae.toString()).err())
                .contains("cfg.json: field \"architecture\" = \"matryoshka\" is not an SAE architecture jlens runs (standard, gated, jumprelu, topk)");
    }

    @Test
    void missingConfigField() throws IOException {
        Path sae = copy("standard", s -> s.replace("\"d_sae\": 256, ", ""));
        assertThat(Refused.run("sae", "info", sae.toString()).err()).contains("cfg.json: field \"d_sae\" is missing");
        Path noHook = copy("jumprelu", s -> s.replace("\"hook_name\": \"blocks.0.hook_resid_post\", ", ""));
        assertThat(Refused.run("sae", "info", noHook.toString()).err()).contains("cfg.json: field \"metadata.hook_name\" is missing");
    }

    @Test
    void weightsOfAnotherShapeThanTheConfigSays() throws IOException {
        Path sae = copy("standard", s -> s.replace("\"d_sae\": 256", "\"d_sae\": 128"));
        assertThat(Refused.run("sae", "info", sae.toString()).err())
                .contains("sae_weights.safetensors: tensor \"W_enc\" has shape [64, 256], but cfg.json's d_in and d_sae say [64, 128]");
    }

    @Test
    void missingTensor() throws IOException {
        // a gated SAE's file read as standard lacks b_enc
        Path sae = copy("gated", s -> s.replace("\"architecture\": \"gated\"", "\"architecture\": \"standard\""));
        assertThat(Refused.run("sae", "info", sae.toString()).err()).contains("unexpected tensor \"b_gate\" for a standard SAE");
        Path topk = copy("standard", s -> s.replace("\"architecture\": \"standard\"", "\"architecture\": \"jumprelu\""));
        assertThat(Refused.run("sae", "info", topk.toString()).err()).contains("sae_weights.safetensors: tensor \"threshold\" is missing");
    }

    @Test
    void corruptWeightsFile() throws IOException {
        Path sae = copy("standard", s -> s);
        Path weights = sae.resolve("sae_weights.safetensors");
        byte[] bytes = Files.readAllBytes(weights);
        Files.write(weights, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertThat(Refused.run("sae", "info", sae.toString()).err()).contains("sae_weights.safetensors: tensor 'W_enc'", "reach past the end of the file");
    }

    @Test
    void saeForAHookPointTheModelLacks() throws IOException {
        Path sae = copy("standard", s -> s.replace("blocks.2.hook_mlp_out", "blocks.9.hook_mlp_out"));
        Path out = tmp.resolve("c.safetensors");
        assertThat(Refused.run("cache", "--model", MODEL, "--prompt", "Hi", "--out", out.toString(), "--sae", sae.toString()).err())
                .contains("the SAE is for hook point blocks.9.hook_mlp_out, which tiny-gpt2-a does not have (4 layers, blocks.0 to blocks.3)");
        Refused.nothingWritten(out);
    }

    @Test
    void saeOfAnotherWidth() throws IOException {
        Path sae = copy("standard", s -> s.replace("blocks.2.hook_mlp_out", "blocks.2.mlp.hook_post"));
        assertThat(Refused.run("sae", "features", "--model", MODEL, "--prompt", "Hi", "--sae", sae.toString()).err())
                .contains("the SAE has d_in 64, but blocks.2.mlp.hook_post of tiny-gpt2-a has width 256 (an SAE for another model?)");
    }

    @Test
    void saeFolderThatDoesNotExist() {
        assertThat(Refused.run("sae", "info", tmp.resolve("none").toString()).err()).contains("SAE folder " + tmp.resolve("none") + " does not exist");
    }

    @Test
    void errorTermWithoutSae() {
        Path out = tmp.resolve("c.safetensors");
        assertThat(Refused.run("cache", "--model", MODEL, "--prompt", "Hi", "--out", out.toString(), "--use-error-term").err())
                .contains("--use-error-term is for SAEs spliced in with --sae, and none is given");
        Refused.nothingWritten(out);
        assertThat(Refused.run("serve", "--model", MODEL, "--port", "0", "--use-error-term").err())
                .isEqualTo("jlens: --use-error-term is for SAEs spliced in with --sae, and none is given\n");
    }

    @Test
    void fineTunedScalingFactor() throws IOException {
        Path sae = copy("standard-legacy", s -> s);
        Path weights = sae.resolve("sae_weights.safetensors");
        Files.delete(weights);
        java.util.LinkedHashMap<String, dev.jlens.io.SafetensorsWriter.Tensor> t = new java.util.LinkedHashMap<>();
        try (dev.jlens.io.Checkpoint c = dev.jlens.io.Checkpoint.open(SaeFixtures.folder("standard-legacy").resolve("sae_weights.safetensors"))) {
            for (String name : c.names()) {
                float[] v = c.readFloat32(name);
                if (name.equals("scaling_factor")) v[3] = 1.5f;
                t.put(name, new dev.jlens.io.SafetensorsWriter.Tensor(c.info(name).shape(), v));
            }
        }
        dev.jlens.io.SafetensorsWriter.write(weights, t, java.util.Map.of());
        assertThat(Refused.run("sae", "info", sae.toString()).err()).contains("tensor \"scaling_factor\" is not all ones");
    }

    @Test
    void featureOutOfRange() {
        assertThat(Refused.run("sae", "logit-effects", "--model", MODEL, "--sae", SaeFixtures.folder("standard").toString(), "--feature", "256").err())
                .contains("feature 256 is out of range: the SAE has 256 features (0..255)");
    }
}
