package dev.jlens.cli;

import dev.jlens.JlensException;
import dev.jlens.bench.Benchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Locale;

/** {@code jlens bench}: load time, forward-pass time and the resid_pre patching sweep's time. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Time loading, a forward pass (all-position logits, median after warm-up) and the n_layers x N resid_pre patching sweep.")
final class BenchCommand extends ModelCommand {
    @Option(names = "--tokens", paramLabel = "N", defaultValue = "38", description = "Positions of the random prompts (default ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = "--runs", paramLabel = "RUNS", defaultValue = "9", description = "Timed forward passes, after untimed ones (at least ten, and at least 2 s of them) (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--no-sweep", description = "Skip the patching sweep (its cost grows with layers^2 x tokens^2).")
    boolean noSweep;

    @Option(names = "--json", description = "End with one JSON line: {\"forward_ms\": ..., \"backward_ms\": ..., \"sweep_resid_pre_s\": ..., \"load_s\": ...}.")
    boolean json;

    @Override
    public void run() {
        if (tokens < 2) throw new JlensException("--tokens must be at least 2, got " + tokens);
        if (runs < 1 || runs > 10_000) throw new JlensException("--runs must be between 1 and 10000, got " + runs);
        Benchmark.Result r = Benchmark.run(() -> {
            var m = loadModel();
            if (tokens > m.cfg().nCtx()) throw new JlensException("--tokens " + tokens + " is more than the model's context of " + m.cfg().nCtx() + " tokens (n_ctx)");
            return m;
        }, tokens, runs, !noSweep);
        var out = streams().out();
        out.printf(Locale.ROOT, "load: %.3f s%n", r.loadSeconds());
        out.printf(Locale.ROOT, "forward (%d tokens, all-position logits, median of %d): %.2f ms%n", r.tokens(), runs, r.forwardMillis());
        out.printf(Locale.ROOT, "forward + backward (last position's logit difference to every activation, median of %d): %.2f ms%n", runs, r.backwardMillis());
        if (!noSweep) out.printf(Locale.ROOT, "resid_pre patching sweep (%d runs): %.3f s%n", r.sweepRuns(), r.sweepSeconds());
        if (json) {
            out.printf(Locale.ROOT, "{\"forward_ms\": %.3f, \"backward_ms\": %.3f, \"sweep_resid_pre_s\": %s, \"load_s\": %.4f}%n",
                    r.forwardMillis(), r.backwardMillis(), noSweep ? "null" : String.format(Locale.ROOT, "%.4f", r.sweepSeconds()), r.loadSeconds());
        }
    }
}
