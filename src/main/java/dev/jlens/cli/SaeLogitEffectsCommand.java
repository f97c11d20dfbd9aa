package dev.jlens.cli;

import dev.jlens.JlensException;
import dev.jlens.model.HookedTransformer;
import dev.jlens.sae.FeatureLogitEffects;
import dev.jlens.sae.Sae;
import dev.jlens.util.PyRepr;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/** {@code jlens sae logit-effects}: the tokens a feature's decoder row promotes and suppresses most through the unembedding. */
@Command(name = "logit-effects", mixinStandardHelpOptions = true,
        description = "Direct logit effects of features (W_dec[f] @ W_U): the top and bottom tokens of each.")
final class SaeLogitEffectsCommand extends SaeModelCommand {
    @Option(names = "--feature", required = true, paramLabel = "F", description = "A feature index (repeatable).")
    List<Integer> features;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "10", description = "Tokens on each side (default: ${DEFAULT-VALUE}).")
    int topK;

    @Override
    public void run() {
        Main.Streams streams = streams();
        if (topK < 1) throw new JlensException("--top-k must be at least 1, got " + topK);
        Sae s = loadSae();
        HookedTransformer m = model.load(streams);
        Inputs.topKWithinVocabulary(m, topK);
        int[] ids = features.stream().mapToInt(Integer::intValue).toArray();
        PrintStream out = streams.out();
        for (FeatureLogitEffects.Effects e : FeatureLogitEffects.of(m, s, ids, topK)) {
            out.println("feature " + e.feature() + " (" + s.hookName() + ")");
            print(out, "top", e.top(), m);
            print(out, "bottom", e.bottom(), m);
        }
    }

    private static void print(PrintStream out, String side, List<FeatureLogitEffects.TokenEffect> effects, HookedTransformer m) {
        for (FeatureLogitEffects.TokenEffect t : effects) {
            out.println(String.format(Locale.ROOT, "  %s\t%+.4f\t%d\t%s", side, t.effect(), t.token(), PyRepr.str(m.toSingleStrToken(t.token()))));
        }
    }
}
