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
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code jlens batch}: the seed's analysis of every prompt of a dataset, as a Parquet table. */
@Command(name = "batch", mixinStandardHelpOptions = true,
        description = "Analyze every prompt of a dataset (logit differences, logit lens, attribution, patching) into a Parquet table.")
final class BatchCommand extends ModelCommand {
    @Option(names = "--dataset", required = true, paramLabel = "D",
            description = "A prompt dataset (.jsonl, .csv or .parquet) with the columns prompt, answers [correct, incorrect] and optionally corrupted_prompt.")
    Path dataset;

    @Option(names = "--out", required = true, paramLabel = "R.parquet", description = "The result table (written whole once every prompt is done).")
    Path out;

    @Option(names = "--report", paramLabel = "R.html",
            description = "Also write the dataset report page: the summary, a histogram of logit differences, the mean per-head attribution with its spread, the prompts that deviate most.")
    Path report;

    @Option(names = "--patching", arity = "1..*", paramLabel = "K", description = "Patching sweeps per prompt (needs corrupted_prompt), e.g. resid_pre.")
    List<String> patching = new ArrayList<>();

    @Option(names = "--attribution", arity = "1..*", paramLabel = "A",
            description = "Attribution patching per prompt (needs corrupted_prompt): each kind's gradient estimate of its patching sweep, e.g. attn_head_out_all_pos.")
    List<String> attribution = new ArrayList<>();

    @Option(names = "--threads", paramLabel = "THREADS", description = "Prompts analyzed at once (default: the number of cores).")
    Integer threads;

    @Option(names = "--shard-size", paramLabel = "ROWS", defaultValue = "64", description = "Prompts per shard, the unit a stopped run resumes from (default ${DEFAULT-VALUE}).")
    int shardSize;

    @Option(names = "--batch-size", paramLabel = "BATCH", defaultValue = "8",
            description = "Prompts per forward pass, padded on the left to the longest (default ${DEFAULT-VALUE}; patching and attribution run a prompt at a time).")
    int batchSize;

    @Option(names = "--resume", description = "Continue a stopped run from its completed shards (R.parquet.shards/).")
    boolean resume;

    @Option(names = "--overwrite", description = "Start again, discarding a stopped run's shards.")
    boolean overwrite;

    @Option(names = "--skip-bad-rows", description = "Skip rows that cannot be read or analyzed (counted in the summary) instead of stopping.")
    boolean skipBadRows;

    @Option(names = "--no-bos", description = "Do not prepend the BOS token to the prompts.")
    boolean noBos;

    @Override
    public void run() {
        if (threads != null && threads < 1) throw new JlensException("--threads must be 1 or more, got " + threads);
        if (shardSize < 1) throw new JlensException("--shard-size must be 1 or more, got " + shardSize);
        if (batchSize < 1) throw new JlensException("--batch-size must be 1 or more, got " + batchSize);
        if (resume && overwrite) throw new JlensException("--resume and --overwrite contradict each other; give one");
        List<PatchKind> kinds = kinds("--patching", patching), attributed = kinds("--attribution", attribution);
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
        BatchJob.Options options = new BatchJob.Options(shardSize, resume, overwrite, skipBadRows, !noBos, batchSize);
        BatchJob.Outcome outcome;
        try (Parallel workers = Workers.of(threads); ProgressBar bar = ProgressBar.rows(streams(), "prompts")) {
            outcome = BatchJob.run(m, dataset, kinds, attributed, out, options, workers, bar);
        }
        var o = streams().out();
        o.println(outcome.rows() + " prompts analyzed into " + out + (outcome.skipped() > 0 ? "; " + outcome.skipped() + " bad rows skipped (first: " + outcome.firstSkipped() + ")" : ""));
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

    private static List<PatchKind> kinds(String option, List<String> ids) {
        List<PatchKind> kinds = new ArrayList<>();
        for (String k : ids) {
            PatchKind kind = PatchKind.byId(k).orElseThrow(() -> new JlensException(option + ": unknown patching kind \"" + k + "\" (known: " + PatchKind.allIds() + ")"));
            if (!kinds.contains(kind)) kinds.add(kind);
        }
        return kinds;
    }
}
