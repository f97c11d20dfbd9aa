package dev.jlens.cli;

import dev.jlens.bench.RandomGpt2;
import dev.jlens.bench.RandomPythia;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code jlens make-random-model}: a GPT-2 or a Pythia (GPT-NeoX) of a real shape with random weights, for benchmarks. */
@Command(name = "make-random-model", mixinStandardHelpOptions = true,
        description = "Write a GPT-2 or Pythia folder (hub layout) of a real shape with random weights, for benchmarks.")
final class MakeRandomModelCommand extends JlensSubcommand implements Runnable {
    @Option(names = "--shape", required = true, paramLabel = "SHAPE", description = "GPT-2's small, medium, large or xl; or pythia-70m, pythia-160m, pythia-410m, pythia-1b or pythia-1.4b.")
    String shape;

    @Option(names = "--tokenizer-from", required = true, paramLabel = "MODEL_DIR", description = "A folder with GPT-2's vocab.json and merges.txt (or tokenizer.json).")
    Path tokenizerFrom;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Seed of the weights (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The folder to write (new or empty).")
    Path out;

    @Override
    public void run() {
        java.util.Optional<RandomPythia.Shape> pythia = RandomPythia.Shape.of(shape);
        if (pythia.isPresent()) RandomPythia.write(out, pythia.get(), seed, tokenizerFrom);
        else RandomGpt2.write(out, RandomGpt2.Shape.of(shape), seed, tokenizerFrom);
        streams().out().println(out);
    }
}
