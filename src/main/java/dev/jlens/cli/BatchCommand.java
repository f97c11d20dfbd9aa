package dev.jlens.cli;

import dev.jlens.JlensException;
import dev.jlens.dataset.BatchJob;
import dev.jlens.dataset.BatchSummary;
import dev.jlens.dataset.Sql;
import dev.jlens.model.HookedTransformer;
import dev.jlens.patching.PatchKind;
import dev.jlens.tensor.Parallel;
import dev.jlens.viz.DatasetReport;
import dev.jlens.viz.Page;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code jlens batch}: the seed's analysis of every prompt of a dataset, as a Parquet table. */
@Command(name = "batch", mixinStandardHelpOptions = true,
        description = BatchOptions.DESCRIPTION)
final class BatchCommand extends ModelCommand {
    @Mixin
    BatchOptions job;

    @Option(names = "--report", paramLabel = "R.html",
            description = "Also write the dataset report page: the summary, a histogram of logit differences, the mean per-head attribution with its spread, the prompts that deviate most.")
    Path report;

    @Option(names = "--batch-size", paramLabel = "BATCH", defaultValue = "8",
            description = "Prompts per forward pass, padded on the left to the longest (default ${DEFAULT-VALUE}; patching and attribution run a prompt at a time).")
    int batchSize;

    @Override
    public void run() {
        job.check();
        if (batchSize < 1) throw new JlensException("--batch-size must be 1 or more, got " + batchSize);
        List<PatchKind> kinds = job.patchingKinds(), attributed = job.attributionKinds();
        Path dataset = Path.of(job.dataset), out = Path.of(job.out);
        List<Inputs.Input> inputs = new ArrayList<>(List.of(new Inputs.Input("the --dataset file " + dataset, dataset)));
        Inputs.modelFolder(streams(), model.model).ifPresent(inputs::add);
        Inputs.output(out, inputs);
        if (Inputs.toStandardOutput(out)) throw new JlensException("--out -: a Parquet table must be written to a file");
        if (report != null) {
            if (Inputs.toStandardOutput(report)) throw new JlensException("--report -: the page must be written to a file (standard output has the summary)");
            Inputs.output(report, inputs);
            if (report.toAbsolutePath().normalize().equals(out.toAbsolutePath().normalize())) throw new JlensException("--report " + report + ": is the --out table; name another file");
        }
        HookedTransformer m = loadModel();
        BatchJob.Options options = new BatchJob.Options(job.shardSize, job.resume, job.overwrite, job.skipBadRows, !job.noBos, batchSize);
        BatchJob.Outcome outcome;
        try (Parallel workers = Workers.of(job.threads); ProgressBar bar = ProgressBar.rows(streams(), "prompts")) {
            outcome = BatchJob.run(m, dataset, kinds, attributed, out, options, workers, bar);
        }
        var o = streams().out();
        o.println(job.summary(outcome.rows(), outcome.skipped(), outcome.firstSkipped()));
        if (outcome.rows() > 0) {
            o.print(BatchSummary.overall(out).toText());
            Sql.Result perTemplate = BatchSummary.perTemplate(out);
            if (perTemplate != null) {
                o.println();
                o.print(perTemplate.toText());
            }
        }
        o.flush();
        if (report != null && outcome.rows() > 0) {
            Page page = DatasetReport.build(out, model.model, dataset.toString(), DEVIATING);
            page.save(report);
            Inputs.wrote(streams(), report, "");
        }
    }

    /** The prompts the report lists as farthest from the mean. */
    private static final int DEVIATING = 10;
}
