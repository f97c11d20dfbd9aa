package dev.jlens.cli;

import dev.jlens.JlensException;
import dev.jlens.experiment.AnalysisResult;
import dev.jlens.experiment.Experiment;
import dev.jlens.model.HookedTransformer;
import dev.jlens.viz.ExperimentReport;
import dev.jlens.viz.Page;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** {@code jlens report}: the seed's whole analysis of an experiment file as one self-contained HTML page. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Run an experiment file's analysis and write it as one self-contained HTML page with figures.")
final class ReportCommand extends JlensSubcommand implements Runnable {
    @Mixin
    ExperimentOptions experimentOptions;

    @Option(names = "--out", required = true, paramLabel = "R.html",
            description = "The page (written whole or not at all); - writes the HTML to standard output.")
    Path out;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "10", description = "Rows of each prompt's top-token table (default: ${DEFAULT-VALUE}; 0 lists only the answers' ranks, as test-prompt --top-k 0).")
    int topK;

    @Override
    public void run() {
        if (topK < 0 || topK > 1000) throw new JlensException("--top-k must be between 0 and 1000, got " + topK);
        // read once: the spec may be a pipe, which a second read would find empty
        Path spec = experimentOptions.spec;
        byte[] bytes = Experiment.readBytes(spec);
        Experiment experiment = Experiment.parse(spec.toString(), bytes);
        String text = new String(bytes, StandardCharsets.UTF_8);
        experimentOptions.checkOutput(out, experiment, streams());
        HookedTransformer m = experimentOptions.load(experiment, streams());
        AnalysisResult result = ExperimentOptions.analyze(m, experiment, streams());
        String modelArgument = experimentOptions.modelName(experiment);
        Page page = new ExperimentReport(m).topK(topK).build(result, new ExperimentReport.Provenance(spec.toString(), text, modelArgument));
        if (Inputs.toStandardOutput(out)) {
            streams().out().print(page.toHtml());
            streams().out().flush();
        } else {
            page.save(out);
            Inputs.wrote(streams(), out, "");
        }
    }
}
