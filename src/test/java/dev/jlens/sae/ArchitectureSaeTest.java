package dev.jlens.sae;

import dev.jlens.ArchFixtures;
import dev.jlens.hooks.Hook;
import dev.jlens.model.HookedTransformer;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An SAE spliced into GPT-NeoX, Llama and Gemma 2 models (HookedSAETransformer): its output is the standard SAE's
 * reconstruction of the plain model's activation, computed here from the weights file, and the model downstream runs
 * on it exactly as a hook that writes that reconstruction; with the error term the logits are the plain model's.
 */
class ArchitectureSaeTest {
    /** The fixture's standard SAE (d_in 64, as every arch fixture's d_model and n_heads * d_head) moved to {@code hook}. */
    private static Sae saeAt(String hook, Path dir) throws IOException {
        Path folder = dir.resolve("sae");
        Files.createDirectories(folder);
        Files.copy(SaeFixtures.folder("standard").resolve(Sae.WEIGHTS_FILE), folder.resolve(Sae.WEIGHTS_FILE));
        String cfg = Files.readString(SaeFixtures.folder("standard").resolve(Sae.CONFIG_FILE)).replace("blocks.2.hook_mlp_out", hook);
        if (hook.endsWith("hook_z")) cfg = cfg.replace("\"reshape_activations\": \"none\"", "\"reshape_activations\": \"hook_z\"");
        Files.writeString(folder.resolve(Sae.CONFIG_FILE), cfg);
        return Sae.load(folder);
    }

    /** relu((x - b_dec) W_enc + b_enc) W_dec + b_dec, row by row, in float64. */
    private static Tensor reconstruction(Tensor x) {
        Tensor wEnc = SaeFixtures.tensor("standard/sae_weights.safetensors", "W_enc"), wDec = SaeFixtures.tensor("standard/sae_weights.safetensors", "W_dec");
        float[] bEnc = SaeFixtures.tensor("standard/sae_weights.safetensors", "b_enc").toArray(), bDec = SaeFixtures.tensor("standard/sae_weights.safetensors", "b_dec").toArray();
        int rows = x.size() / bDec.length, d = bDec.length, f = bEnc.length;
        float[] in = x.toArray(), we = wEnc.toArray(), wd = wDec.toArray(), out = new float[in.length];
        for (int r = 0; r < rows; r++) {
            double[] acc = new double[d];
            for (int j = 0; j < f; j++) {
                double a = bEnc[j];
                for (int i = 0; i < d; i++) a += (in[r * d + i] - bDec[i]) * (double) we[i * f + j];
                if (a > 0) for (int i = 0; i < d; i++) acc[i] += a * wd[j * d + i];
            }
            for (int i = 0; i < d; i++) out[r * d + i] = (float) (acc[i] + bDec[i]);
        }
        return Tensor.of(out, x.shape());
    }

    @ParameterizedTest
    @CsvSource({"tiny-neox-a, blocks.0.hook_resid_post", "tiny-lm-rms-a, blocks.0.hook_mlp_out", "tiny-lm-rms-a, blocks.1.attn.hook_z",
            "tiny-gm2-a, blocks.0.hook_resid_post"})
    void theSplicedSaeReconstructsTheActivationAndTheModelRunsOnIt(String fixture, String hook, @TempDir Path dir) throws IOException {
        HookedTransformer plain = ArchFixtures.model(fixture);
        IntTensor tokens = ArchFixtures.tokens(fixture, "tokens");
        Sae sae = saeAt(hook, dir);
        Tensor x = plain.runWithCache(tokens).cache().get(hook);
        Tensor expected = reconstruction(x);

        HookedTransformer spliced = Saes.withSaes(plain, false, sae);
        var run = spliced.runWithCache(tokens);
        SaeFixtures.assertClose(fixture + " " + hook + ".hook_sae_output", run.cache().get(hook + ".hook_sae_output"), expected);
        Tensor hooked = plain.withHooks(Hook.of(hook, (a, h) -> expected.copy())).forward(tokens);
        SaeFixtures.assertClose(fixture + " logits downstream of the SAE", run.logits(), hooked);
        assertThat(run.logits().sub(plain.forward(tokens)).abs().max()).as("the reconstruction changes the output").isGreaterThan(1e-3f);

        Tensor withError = Saes.withSaes(plain, true, sae).forward(tokens), logits = plain.forward(tokens);
        assertThat(withError.sub(logits).abs().max()).as("with the error term").isLessThanOrEqualTo(1e-5f * logits.abs().max());
    }
}
