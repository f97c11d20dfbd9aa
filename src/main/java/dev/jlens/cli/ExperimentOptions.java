package dev.jlens.cli;

import dev.jlens.JlensException;
import dev.jlens.experiment.AnalysisResult;
import dev.jlens.experiment.Experiment;
import dev.jlens.experiment.ExperimentAnalysis;
import dev.jlens.model.HookedTransformer;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What {@code analyze} and {@code report} share: the experiment file, the model that overrides its own, and the run. */
final class ExperimentOptions {
    @Option(names = "--spec", required = true, paramLabel = "E.json", description = "The experiment file.")
    Path spec;

    @Option(names = "--model", paramLabel = "M", description = "The model (overrides the experiment file's \"model\").")
    String model;

    @Option(names = "--revision", paramLabel = "R", description = "Branch, tag or commit of a model from the Hub (default: main).")
    String revision;

    /** The model as the command line or, without {@code --model}, the experiment file names it (null for neither). */
    String modelName(Experiment experiment) {
        return model != null ? model : experiment.model();
    }

    /** {@code out} can be written, and is neither the experiment file nor inside the model's folder. */
    void checkOutput(Path out, Experiment experiment, Main.Streams streams) {
        List<Inputs.Input> inputs = new ArrayList<>(List.of(new Inputs.Input("the --spec file " + spec, spec)));
        Inputs.modelFolder(streams, modelName(experiment)).ifPresent(inputs::add);
        for (String sae : experiment.saes()) SaeOption.folder(sae).ifPresent(inputs::add);
        Inputs.output(out, inputs);
    }

    /** The experiment's model, or the one on the command line, with the experiment's SAEs spliced in. */
    HookedTransformer load(Experiment experiment, Main.Streams streams) {
        String name = modelName(experiment);
        if (name == null) throw new JlensException(experiment.source() + ": no \"model\" given; add one or pass --model");
        HookedTransformer m = ModelOption.load(streams, name, revision);
        for (int i = 0; i < experiment.saes().size(); i++) {
            try {
                m = dev.jlens.sae.Saes.withSaes(m, experiment.useErrorTerm(), SaeOption.load(streams, experiment.saes().get(i)));
            } catch (JlensException e) {
                throw new JlensException(experiment.source() + ": saes[" + i + "]: " + e.getMessage(), e);
            }
        }
        return m;
    }

    /** The experiment's whole analysis, with a progress bar over the patching runs. */
    static AnalysisResult analyze(HookedTransformer m, Experiment experiment, Main.Streams streams) {
        try (ProgressBar bar = ProgressBar.counting(streams, "patching runs")) {
            return new ExperimentAnalysis(m, bar).run(experiment);
        }
    }
}
