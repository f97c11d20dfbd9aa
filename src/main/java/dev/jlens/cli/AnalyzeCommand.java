package dev.jlens.cli;

import dev.jlens.experiment.AnalysisResult;
import dev.jlens.experiment.Experiment;
import dev.jlens.io.AtomicFile;
import dev.jlens.model.HookedTransformer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code jlens analyze}: the seed's whole analysis of an experiment file, as JSON. */
@Command(name = "analyze", mixinStandardHelpOptions = true, description = "Run an experiment file's analysis (logit differences, logit lens, attribution, patching) and write JSON.")
final class AnalyzeCommand extends JlensSubcommand implements Runnable {
    @Mixin
    ExperimentOptions experimentOptions;

    @Option(names = "--out", required = true, paramLabel = "R.json",
            description = "Result file (written whole or not at all); - writes the JSON to standard output.")
    Path out;

    @Override
    public void run() {
        Experiment experiment = Experiment.read(experimentOptions.spec);
        experimentOptions.checkOutput(out, experiment, streams());
        HookedTransformer m = experimentOptions.load(experiment, streams());
        AnalysisResult result = ExperimentOptions.analyze(m, experiment, streams());
        String json = result.toJson() + "\n";
        if (Inputs.toStandardOutput(out)) {
            streams().out().print(json);
            streams().out().flush();
        } else {
            AtomicFile.writeString(out, json);
            Inputs.wrote(streams(), out, "");
        }
    }
}
