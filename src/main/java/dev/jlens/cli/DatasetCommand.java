package dev.jlens.cli;

import dev.jlens.JlensException;
import dev.jlens.dataset.InductionDataset;
import dev.jlens.dataset.IoiDataset;
import dev.jlens.io.AtomicFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;

/** {@code jlens dataset}: generated datasets as JSON Lines. */
@Command(name = "dataset", mixinStandardHelpOptions = true, description = "Generate a dataset (JSON Lines).",
        subcommands = {DatasetCommand.Ioi.class, DatasetCommand.Induction.class})
final class DatasetCommand extends JlensSubcommand implements Runnable {
    @Override
    public void run() {
        throw new JlensException("dataset: name the dataset to generate: ioi or induction");
    }

    static void requirePositive(String option, int n) {
        if (n < 1) throw new JlensException(option + " must be 1 or more, got " + n);
    }

    static void write(Main.Streams streams, Path out, String jsonLines) {
        if (Inputs.toStandardOutput(out)) {
            streams.out().print(jsonLines);
            streams.out().flush();
        } else {
            Inputs.output(out, List.of());
            AtomicFile.writeString(out, jsonLines);
        }
    }

    /** TransformerLens' IOIDataset: prompts, answers, the seed's corrupted prompts and the template. */
    @Command(name = "ioi", mixinStandardHelpOptions = true,
            description = "Indirect-object-identification prompts from TransformerLens' IOIDataset templates and names, with corrupted prompts.")
    static final class Ioi extends JlensSubcommand implements Runnable {
        @Option(names = "--n", required = true, paramLabel = "N", description = "Number of prompts.")
        int n;

        @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Random seed (default ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--symmetric", description = "Each draw of names in both orders (as TransformerLens' symmetric=True).")
        boolean symmetric;

        @Option(names = "--out", required = true, paramLabel = "F.jsonl", description = "Output file; - for standard output.")
        Path out;

        @Override
        public void run() {
            requirePositive("--n", n);
            StringBuilder b = new StringBuilder();
            for (IoiDataset.Sample s : IoiDataset.generate(n, seed, symmetric)) b.append(s.toJson()).append('\n');
            write(streams(), out, b.toString());
        }
    }

    /** TransformerLens' induction_loss sequences: random tokens repeated twice. */
    @Command(name = "induction", mixinStandardHelpOptions = true, description = "Random token sequences repeated twice (TransformerLens' induction_loss), as a tokens column.")
    static final class Induction extends JlensSubcommand implements Runnable {
        @Option(names = "--n", required = true, paramLabel = "N", description = "Number of sequences.")
        int n;

        @Option(names = "--length", paramLabel = "L", defaultValue = "384", description = "Tokens in each half (default ${DEFAULT-VALUE}, as TransformerLens).")
        int length;

        @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Random seed (default ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--out", required = true, paramLabel = "F.jsonl", description = "Output file; - for standard output.")
        Path out;

        @Override
        public void run() {
            requirePositive("--n", n);
            requirePositive("--length", length);
            StringBuilder b = new StringBuilder();
            for (int[] row : InductionDataset.generate(n, length, seed)) b.append(InductionDataset.toJson(row)).append('\n');
            write(streams(), out, b.toString());
        }
    }
}
