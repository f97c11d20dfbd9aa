package dev.jlens.cli;

import dev.jlens.JlensException;
import dev.jlens.experiment.AnalysisResult;
import dev.jlens.experiment.Experiment;
import dev.jlens.experiment.ExperimentAnalysis;
import dev.jlens.io.AtomicFile;
import dev.jlens.model.HookedTransformer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code jlens analyze}: the seed's whole analysis of an experiment file, as JSON. */
@Command(name = "analyze", mixinStandardHelpOptions = true, description = "Run an experiment file's analysis (logit differences, logit lens, attribution, patching) and write JSON.")
final class AnalyzeCommand implements Runnable {
    @ParentCommand
    JlensCommand parent;

    @Option(names = "--spec", required = true, paramLabel = "E.json", description = "The experiment file.")
    Path spec;

    @Option(names = "--model", paramLabel = "M", description = "The model (overrides the experiment file's \"model\").")
    String model;

    @Option(names = "--revision", paramLabel = "R", description = "Branch, tag or commit of a model from the Hub (default: main).")
    String revision;

    @Option(names = "--out", required = true, paramLabel = "R.json",
            description = "Result file (written whole or not at all); - writes the JSON to standard output.")
    Path out;

    @Override
    public void run() {
        Experiment experiment = Experiment.read(spec);
        checkOutput(out, spec, experiment, model, parent.streams);
        HookedTransformer m = load(experiment, model, revision, parent.streams);
        AnalysisResult result;
        try (ProgressBar bar = ProgressBar.counting(parent.streams, "patching runs")) {
            result = new ExperimentAnalysis(m, bar).run(experiment);
        }
        String json = result.toJson() + "\n";
        if (Inputs.toStandardOutput(out)) {
            parent.streams.out().print(json);
            parent.streams.out().flush();
        } else {
            AtomicFile.writeString(out, json);
            Inputs.wrote(parent.streams, out, "");
        }
    }

    /** {@code --out} can be written, and is neither the experiment file nor inside the model's folder. */
    static void checkOutput(Path out, Path spec, Experiment experiment, String override, Main.Streams streams) {
        List<Inputs.Input> inputs = new ArrayList<>(List.of(new Inputs.Input("the --spec file " + spec, spec)));
        Inputs.modelFolder(streams, override != null ? override : experiment.model()).ifPresent(inputs::add);
        Inputs.output(out, inputs);
    }

    /** The experiment's model, or the one on the command line. */
    static HookedTransformer load(Experiment experiment, String override, String revision, Main.Streams streams) {
        String name = override != null ? override : experiment.model();
        if (name == null) throw new JlensException(experiment.source() + ": no \"model\" given; add one or pass --model");
        return ModelOption.load(streams, name, revision);
    }
}
