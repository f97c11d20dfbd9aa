package dev.jlens.cli;

import dev.jlens.JlensException;
import dev.jlens.model.GenerateOptions;
import dev.jlens.model.HookedTransformer;
import dev.jlens.sae.FeatureSteering;
import dev.jlens.sae.Sae;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;
import dev.jlens.util.PyRepr;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.Locale;

/** {@code jlens sae steer}: the model's next-token predictions with a feature added to its hook point, or ablated, beside the plain model's. */
@Command(name = "steer", mixinStandardHelpOptions = true,
        description = "Steer by a feature (add C x W_dec[F] at the SAE's hook point, every position) or ablate it (SAE spliced in with its "
                + "error term, feature set to 0), and print the top next tokens of the plain and the edited model.")
final class SaeSteerCommand extends SaeModelCommand {
    @Option(names = "--prompt", required = true, paramLabel = "P", description = "The prompt (BOS is prepended).")
    String prompt;

    @Option(names = "--feature", required = true, paramLabel = "F", description = "The feature index.")
    int feature;

    @Option(names = "--coefficient", paramLabel = "C", description = "Add C x W_dec[F] to the activation at the SAE's hook point.")
    Float coefficient;

    @Option(names = "--ablate", description = "Set the feature to 0 instead (the SAE spliced in with its error term).")
    boolean ablate;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "10", description = "Next tokens per model (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--max-new-tokens", paramLabel = "N", defaultValue = "0", description = "Also continue the prompt greedily by N tokens with each model (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Override
    public void run() {
        Main.Streams streams = streams();
        Inputs.text("--prompt", prompt);
        if ((coefficient != null) == ablate) throw new JlensException("give either --coefficient C (steer) or --ablate, not " + (ablate ? "both" : "neither"));
        if (coefficient != null && !Float.isFinite(coefficient)) throw new JlensException("--coefficient must be a finite number, got " + coefficient);
        if (topK < 1) throw new JlensException("--top-k must be at least 1, got " + topK);
        if (maxNewTokens < 0) throw new JlensException("--max-new-tokens must be 0 or more, got " + maxNewTokens);
        Sae s = loadSae();
        HookedTransformer plain = model.load(streams);
        Inputs.topKWithinVocabulary(plain, topK);
        HookedTransformer edited = ablate ? FeatureSteering.ablated(plain, s, feature) : FeatureSteering.steered(plain, s, feature, coefficient);
        IntTensor tokens = plain.toTokens(prompt);
        Inputs.fitsContext(plain, "--prompt", tokens.shape(1) + maxNewTokens);
        PrintStream out = streams.out();
        out.println("# " + s.hookName() + " feature " + feature + ": " + (ablate ? "ablated (set to 0) at every position, error term on"
                : String.format(Locale.ROOT, "%s x W_dec[%d] added at every position", coefficient, feature)));
        out.println("# model\trank\ttoken\tstr\tlogit\tprobability");
        String editedName = ablate ? "ablated" : "steered";
        print(out, "plain", plain, tokens);
        print(out, editedName, edited, tokens);
        if (maxNewTokens > 0) {
            GenerateOptions greedy = GenerateOptions.greedy(maxNewTokens).withStopAtEos(false);
            out.println("plain:\t" + PyRepr.str(plain.generate(prompt, greedy)));
            out.println(editedName + ":\t" + PyRepr.str(edited.generate(prompt, greedy)));
        }
    }

    private void print(PrintStream out, String name, HookedTransformer m, IntTensor tokens) {
        Tensor logits = m.forward(tokens);
        Tensor last = logits.get(0).get(logits.shape(1) - 1);
        Tensor probs = last.softmax(-1);
        Tensor.TopK top = last.topk(topK);
        for (int r = 0; r < topK; r++) {
            int t = top.indices().item(r);
            out.println(String.format(Locale.ROOT, "%s\t%d\t%d\t%s\t%.4f\t%.4f", name, r, t, PyRepr.str(m.toSingleStrToken(t)), top.values().item(r), probs.item(t)));
        }
    }
}
