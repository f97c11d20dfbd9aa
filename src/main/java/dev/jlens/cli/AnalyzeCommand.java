package dev.jlens.cli;

import dev.jlens.experiment.AnalysisResult;
import dev.jlens.experiment.Experiment;
import dev.jlens.io.AtomicFile;
import dev.jlens.model.HookedTransformer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;

/** {@code jlens analyze}: the seed's whole analysis of an experiment file, as JSON. */
@Command(name = "analyze", mixinStandardHelpOptions = true, description = "Run an experiment file's analysis (logit differences, logit lens, attribution, patching) and write JSON.")
final class AnalyzeCommand implements Runnable {
    @ParentCommand
    JlensCommand parent;

    @Mixin
    ExperimentOptions experimentOptions;

    @Option(names = "--out", required = true, paramLabel = "R.json",
            description = "Result file (written whole or not at all); - writes the JSON to standard output.")
    Path out;

    @Override
    public void run() {
        Experiment experiment = Experiment.read(experimentOptions.spec);
        experimentOptions.checkOutput(out, experiment, parent.streams);
        HookedTransformer m = experimentOptions.load(experiment, parent.streams);
        AnalysisResult result = ExperimentOptions.analyze(m, experiment, parent.streams);
        String json = result.toJson() + "\n";
        if (Inputs.toStandardOutput(out)) {
            parent.streams.out().print(json);
            parent.streams.out().flush();
        } else {
            AtomicFile.writeString(out, json);
            Inputs.wrote(parent.streams, out, "");
        }
    }
}
