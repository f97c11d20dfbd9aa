package dev.jlens.spark;

import dev.jlens.JlensException;
import dev.jlens.patching.PatchKind;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code batch} on Spark: the options of {@code jlens batch}; the table is a Parquet folder (one file per shard). */
@Command(name = "batch", mixinStandardHelpOptions = true,
        description = "Analyze every prompt of a dataset (logit differences, logit lens, attribution, patching) into a Parquet table.")
final class SparkBatchCommand implements Callable<Integer> {
    @ParentCommand
    SparkMain parent;

    @Option(names = "--model", required = true, paramLabel = "M",
            description = "A folder every node sees, a known name or repo id in each node's Hugging Face cache, or a folder shipped with --archives.")
    String model;

    @Option(names = "--dataset", required = true, paramLabel = "D", description = "A prompt dataset (.jsonl, .csv or .parquet; a file or a folder) on storage every node sees.")
    String dataset;

    @Option(names = "--out", required = true, paramLabel = "R.parquet", description = "The result table: a Parquet folder, committed whole when the job succeeds.")
    String out;

    @Option(names = "--patching", arity = "1..*", paramLabel = "K", description = "Patching sweeps per prompt (needs corrupted_prompt), e.g. resid_pre.")
    List<String> patching = new ArrayList<>();

    @Option(names = "--threads", paramLabel = "THREADS", description = "Not used on Spark: tasks at once are the executors' cores (spark.executor.cores).")
    Integer threads;

    @Option(names = "--shard-size", paramLabel = "ROWS", defaultValue = "64", description = "Prompts per shard, one Spark task each (default ${DEFAULT-VALUE}).")
    int shardSize;

    @Option(names = "--resume", description = "Not used on Spark: a failed task is retried by Spark, and a failed job is run again with --overwrite.")
    boolean resume;

    @Option(names = "--overwrite", description = "Replace the result table if it exists.")
    boolean overwrite;

    @Option(names = "--skip-bad-rows", description = "Skip rows that cannot be read or analyzed (counted in the summary) instead of stopping.")
    boolean skipBadRows;

    @Option(names = "--no-bos", description = "Do not prepend the BOS token to the prompts.")
    boolean noBos;

    @Override
    public Integer call() {
        if (resume) throw new JlensException("--resume: Spark retries failed tasks itself; run a failed job again with --overwrite");
        if (threads != null) throw new JlensException("--threads: on Spark the tasks at once are the executors' cores; set spark.executor.cores instead");
        List<PatchKind> kinds = new ArrayList<>();
        for (String k : patching) {
            PatchKind kind = PatchKind.byId(k).orElseThrow(() -> new JlensException("--patching: unknown patching kind \"" + k + "\" (known: " + PatchKind.allIds() + ")"));
            if (!kinds.contains(kind)) kinds.add(kind);
        }
        JlensSpark.BatchOptions options = new JlensSpark.BatchOptions(!noBos, kinds, skipBadRows, shardSize);
        SparkSession spark = SparkSession.builder().appName("jlens batch").getOrCreate();
        parent.quietLogging(spark);
        Tables.refuseExisting(spark, out, overwrite);
        Dataset<Row> prompts = Tables.read(spark, dataset, skipBadRows);
        JlensSpark.BatchRun run = JlensSpark.batchToParquet(spark, ModelRef.of(model), prompts, dataset, options, out);
        var o = parent.out;
        o.println(run.rows() + " prompts analyzed into " + out + (run.skipped() > 0 ? "; " + run.skipped() + " bad rows skipped (first: " + run.firstSkipped() + ")" : ""));
        if (run.rows() > 0) {
            o.print(Summaries.overall(spark, out).toText());
            dev.jlens.dataset.Sql.Result perTemplate = Summaries.perTemplate(spark, out);
            if (perTemplate != null) {
                o.println();
                o.print(perTemplate.toText());
            }
        }
        o.flush();
        return 0;
    }
}
