package dev.jlens.cli;

import dev.jlens.JlensException;
import dev.jlens.model.HookedTransformer;
import dev.jlens.sae.FeatureActivations;
import dev.jlens.sae.Sae;
import dev.jlens.sae.Saes;
import dev.jlens.tensor.IntTensor;
import dev.jlens.util.PyRepr;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/** {@code jlens sae features}: the features that fire most at each position of a prompt. */
@Command(name = "features", mixinStandardHelpOptions = true,
        description = "Run a prompt with the SAE spliced in (with its error term) and print, per position, the features with the largest activations.")
final class SaeFeaturesCommand extends SaeModelCommand {
    @Option(names = "--prompt", required = true, paramLabel = "P", description = "The prompt (BOS is prepended).")
    String prompt;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "5", description = "Features per position (default: ${DEFAULT-VALUE}).")
    int topK;

    @Override
    public void run() {
        Main.Streams streams = streams();
        Inputs.text("--prompt", prompt);
        if (topK < 1) throw new JlensException("--top-k must be at least 1, got " + topK);
        Sae s = loadSae();
        HookedTransformer m = model.load(streams);
        Saes.withSaes(m, true, s);  // refuses an SAE for another hook or width before the run
        IntTensor tokens = m.toTokens(prompt);
        Inputs.fitsContext(m, "--prompt", tokens.shape(1));
        List<FeatureActivations.Position> positions = FeatureActivations.top(m, s, tokens, topK);
        PrintStream out = streams.out();
        out.println("# " + s.hookName() + " (d_sae " + s.cfg().dSae() + "): top " + topK + " features per position, as feature:activation; l0 = features active");
        List<String> strTokens = m.toStrTokens(tokens);
        for (FeatureActivations.Position p : positions) {
            StringBuilder line = new StringBuilder();
            line.append(p.position()).append('\t').append(PyRepr.str(strTokens.get(p.position()))).append("\tl0=").append(p.active());
            for (FeatureActivations.Feature f : p.top()) line.append('\t').append(f.index()).append(':').append(String.format(Locale.ROOT, "%.4f", f.activation()));
            out.println(line);
        }
    }
}
