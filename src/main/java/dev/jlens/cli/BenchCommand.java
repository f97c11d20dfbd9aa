package dev.jlens.cli;

import dev.jlens.JlensException;
import dev.jlens.bench.Benchmark;
import dev.jlens.bench.SaeCost;
import dev.jlens.model.HookedTransformer;
import dev.jlens.sae.Sae;
import dev.jlens.sae.Saes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Locale;

/** {@code jlens bench}: load time, forward-pass time and the resid_pre patching sweep's time; with {@code --sae}, an SAE's cost beside its block's. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Time loading, a forward pass (all-position logits, median after warm-up) and the n_layers x N resid_pre patching sweep.")
final class BenchCommand extends ModelCommand {
    @Option(names = "--tokens", paramLabel = "N", defaultValue = "38", description = "Positions of the random prompts (default ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = "--runs", paramLabel = "RUNS", defaultValue = "9", description = "Timed forward passes, after untimed ones (at least ten, and at least 2 s of them) (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--no-sweep", description = "Skip the patching sweep (its cost grows with layers^2 x tokens^2).")
    boolean noSweep;

    @Option(names = "--sae", paramLabel = "SAE", description = "Also time this SAE spliced in (as --sae elsewhere takes it) beside the block it sits in: "
            + "the block alone, the block with the SAE, and the SAE by itself (medians, interleaved).")
    String sae;

    @Option(names = "--json", description = "End with one JSON line: {\"forward_ms\": ..., \"backward_ms\": ..., \"sweep_resid_pre_s\": ..., \"load_s\": ...} "
            + "(with --sae also \"block_ms\", \"sae_in_block_ms\", \"sae_alone_ms\").")
    boolean json;

    @Override
    public void run() {
        if (tokens < 2) throw new JlensException("--tokens must be at least 2, got " + tokens);
        if (runs < 1 || runs > 10_000) throw new JlensException("--runs must be between 1 and 10000, got " + runs);
        Sae s = sae == null ? null : SaeOption.load(streams(), sae);
        HookedTransformer[] loaded = new HookedTransformer[1];
        Benchmark.Result r = Benchmark.run(() -> {
            var m = loadModel();
            if (tokens > m.cfg().nCtx()) throw new JlensException("--tokens " + tokens + " is more than the model's context of " + m.cfg().nCtx() + " tokens (n_ctx)");
            if (s != null) {  // an SAE for another hook or width, or outside the blocks, is refused before any timing
                Saes.withSaes(m, false, s);
                SaeCost.layerOf(s);
            }
            loaded[0] = m;
            return m;
        }, tokens, runs, !noSweep);
        SaeCost cost = s == null ? null : SaeCost.measure(loaded[0], s, tokens, runs);
        var out = streams().out();
        out.printf(Locale.ROOT, "load: %.3f s%n", r.loadSeconds());
        out.printf(Locale.ROOT, "forward (%d tokens, all-position logits, median of %d): %.2f ms%n", r.tokens(), runs, r.forwardMillis());
        out.printf(Locale.ROOT, "forward + backward (last position's logit difference to every activation, median of %d): %.2f ms%n", runs, r.backwardMillis());
        if (!noSweep) out.printf(Locale.ROOT, "resid_pre patching sweep (%d runs): %.3f s%n", r.sweepRuns(), r.sweepSeconds());
        if (cost != null) {
            out.printf(Locale.ROOT, "SAE at %s (d_sae %d, %.1f features firing per position; medians of %d): block %d alone %.2f ms, with the SAE spliced in %.2f ms; "
                            + "the SAE costs %.2f ms = %.2f blocks (by itself %.2f ms)%n", cost.hookName(), s.cfg().dSae(), cost.l0(), runs, cost.layer(),
                    cost.blockMillis(), cost.splicedBlockMillis(), cost.saeInBlockMillis(), cost.saeInBlockMillis() / cost.blockMillis(), cost.saeMillis());
        }
        if (json) {
            String saeFields = cost == null ? "" : String.format(Locale.ROOT, ", \"block_ms\": %.3f, \"sae_in_block_ms\": %.3f, \"sae_alone_ms\": %.3f",
                    cost.blockMillis(), cost.saeInBlockMillis(), cost.saeMillis());
            out.printf(Locale.ROOT, "{\"forward_ms\": %.3f, \"backward_ms\": %.3f, \"sweep_resid_pre_s\": %s, \"load_s\": %.4f%s}%n",
                    r.forwardMillis(), r.backwardMillis(), noSweep ? "null" : String.format(Locale.ROOT, "%.4f", r.sweepSeconds()), r.loadSeconds(), saeFields);
        }
    }
}
