package dev.jlens.cli;

import dev.jlens.JlensException;
import dev.jlens.dataset.BatchJob;
import dev.jlens.dataset.BatchSummary;
import dev.jlens.dataset.Sql;
import dev.jlens.model.HookedTransformer;
import dev.jlens.patching.PatchKind;
import dev.jlens.tensor.Parallel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code jlens batch}: the seed's analysis of every prompt of a dataset, as a Parquet table. */
@Command(name = "batch", mixinStandardHelpOptions = true,
        description = BatchOptions.DESCRIPTION)
final class BatchCommand extends ModelCommand {
    @Mixin
    BatchOptions job;

    @Override
    public void run() {
        job.check();
        List<PatchKind> kinds = job.patchingKinds(), attributed = job.attributionKinds();
        Path dataset = Path.of(job.dataset), out = Path.of(job.out);
        List<Inputs.Input> inputs = new ArrayList<>(List.of(new Inputs.Input("the --dataset file " + dataset, dataset)));
        Inputs.modelFolder(streams(), model.model).ifPresent(inputs::add);
        Inputs.output(out, inputs);
        if (Inputs.toStandardOutput(out)) throw new JlensException("--out -: a Parquet table must be written to a file");
        HookedTransformer m = loadModel();
        BatchJob.Options options = new BatchJob.Options(job.shardSize, job.resume, job.overwrite, job.skipBadRows, !job.noBos);
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
    }
}
