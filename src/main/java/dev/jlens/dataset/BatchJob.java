package dev.jlens.dataset;

import dev.jlens.io.Json;
import dev.jlens.model.HookedTransformer;
import dev.jlens.patching.PatchKind;
import dev.jlens.tensor.Parallel;
import dev.jlens.util.Progress;

import java.nio.file.Path;
import java.util.List;

/**
 * {@code jlens batch} as a library call: the seed's analysis of every prompt of a dataset into a Parquet table, on
 * this machine's cores, through shards beside the output ({@code R.parquet.shards/}) that a stopped run resumes
 * from, removed once the table is written.
 */
public final class BatchJob {
    /**
     * How to run: rows per shard, whether to resume or start over, whether bad rows are skipped, and prompts per
     * forward pass (padded together; a shard is cut into batches the same way on any number of threads).
     */
    public record Options(int shardSize, boolean resume, boolean overwrite, boolean skipBadRows, boolean prependBos, int batchSize) {
        /** One prompt per forward pass. */
        public Options(int shardSize, boolean resume, boolean overwrite, boolean skipBadRows, boolean prependBos) {
            this(shardSize, resume, overwrite, skipBadRows, prependBos, 1);
        }
    }

    /** What a run did: the table's rows, the rows skipped as bad (unreadable, or failed to analyze), the first reason. */
    public record Outcome(long rows, long skipped, String firstSkipped) {}

    private BatchJob() {}

    private static long size(Path p) {
        try {
            return java.nio.file.Files.size(p);
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    private static long modified(Path p) {
        try {
            return java.nio.file.Files.getLastModifiedTime(p).toMillis();
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    public static Path shardFolder(Path out) {
        return out.resolveSibling(out.getFileName() + ".shards");
    }

    /** Runs the job (with the patching sweeps and attribution estimates asked for) with the prompts spread over {@code workers} (the caller's pool; its size is the prompts analyzed at once). */
    public static Outcome run(HookedTransformer model, Path dataset, List<PatchKind> patching, List<PatchKind> attribution, Path out, Options options,
                              Parallel workers, Progress progress) {
        PromptAnalysisJob job = PromptAnalysisJob.on(model, options.prependBos(), patching, attribution, options.skipBadRows());
        Json.Obj description = job.describe().put("dataset", dataset.toAbsolutePath().normalize().toString())
                .put("dataset_bytes", Json.Num.of(size(dataset))).put("dataset_modified", Json.Num.of(modified(dataset)))
                .put("shard_size", Json.Num.of(options.shardSize()));
        // A prompt's bits depend on the batch it was padded in, so a resumed run must batch as the first did.
        if (options.batchSize() != 1) description.put("batch_size", Json.Num.of(options.batchSize()));
        JsonShards shards = JsonShards.open(shardFolder(out), description, options.resume(), options.overwrite());
        long total = PromptDataset.count(dataset);
        long unreadable;
        String firstUnreadable;
        try (PromptDataset rows = PromptDataset.open(dataset, options.skipBadRows())) {
            new LocalRunner(workers, options.shardSize(), options.batchSize(), progress).run(rows, total, job, shards);
            unreadable = rows.skipped();
            firstUnreadable = rows.firstSkipped();
        }
        ParquetTable.Written written = ParquetTable.write(shards, job.columns(), out);
        shards.delete();
        String first = firstUnreadable != null ? firstUnreadable : written.firstError();
        return new Outcome(written.rows(), unreadable + written.errors(), first);
    }
}
