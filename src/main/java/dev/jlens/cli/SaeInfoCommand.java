package dev.jlens.cli;

import dev.jlens.sae.Sae;
import dev.jlens.sae.SaeConfig;
import dev.jlens.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.util.Locale;

/** {@code jlens sae info SAE}: what an SAE is, as its cfg.json and weights say. */
@Command(name = "info", mixinStandardHelpOptions = true, description = "Describe an SAE: architecture, hook point, sizes, settings, tensors.")
final class SaeInfoCommand extends JlensSubcommand implements Runnable {
    @Parameters(paramLabel = "SAE", description = "A folder in SAELens' layout (cfg.json, sae_weights.safetensors), or REPO_ID/SUBFOLDER on the Hub.")
    String source;

    @Override
    public void run() {
        Sae s = SaeOption.load(streams(), source);
        SaeConfig c = s.cfg();
        PrintStream out = streams().out();
        out.println("sae: " + s.source());
        out.println("architecture: " + c.architecture().configName + (c.k() > 0 ? " (k " + c.k() + (c.rescaleActsByDecoderNorm() ? ", rescale_acts_by_decoder_norm" : "") + ")" : ""));
        out.println("hook_name: " + c.hookName());
        out.println("d_in: " + c.dIn());
        out.println("d_sae: " + c.dSae());
        out.println("dtype: " + c.dtype());
        out.println("apply_b_dec_to_input: " + c.applyBDecToInput());
        out.println("normalize_activations: " + c.normalization().configName);
        if (c.reshapeHookZ()) out.println("reshape_activations: hook_z");
        out.println("model_name: " + (c.modelName() == null ? "-" : c.modelName()));
        out.println("cfg.json format: " + (c.currentFormat() ? "SAELens 6 (" + c.formatVersion() + ")" : "SAELens before 6 (" + c.formatVersion() + "), read with its old field names"));
        out.println("tensors: " + String.join(", ", s.tensorNames()));
        float[] norms = rowNorms(s.wDec());
        float min = Float.MAX_VALUE, max = 0;
        for (float n : norms) {
            min = Math.min(min, n);
            max = Math.max(max, n);
        }
        out.println(String.format(Locale.ROOT, "decoder row norms: %.4g to %.4g", min, max));
        out.println("sparsity: " + (s.sparsity() == null ? "none (no sparsity.safetensors)" : "log10 firing frequency of " + s.sparsity().size() + " features"));
    }

    private static float[] rowNorms(Tensor m) {
        return m.mul(m).sum(1).sqrt().toArray();
    }
}
