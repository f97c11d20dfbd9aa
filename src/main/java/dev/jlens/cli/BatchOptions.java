package dev.jlens.cli;

import dev.jlens.JlensException;
import dev.jlens.patching.PatchKind;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** The options of {@code batch} besides the model, declared once for the command line and jlens-spark's driver. */
public final class BatchOptions {
    /** What the command does, as its help says (here and on Spark). */
    public static final String DESCRIPTION = "Analyze every prompt of a dataset (logit differences, logit lens, attribution, patching) into a Parquet table.";

    @Option(names = "--dataset", required = true, paramLabel = "D",
            description = "A prompt dataset (.jsonl, .csv or .parquet) with the columns prompt, answers [correct, incorrect] and optionally corrupted_prompt.")
    public String dataset;

    @Option(names = "--out", required = true, paramLabel = "R.parquet", description = "The result table (written whole once every prompt is done).")
    public String out;

    @Option(names = "--patching", arity = "1..*", paramLabel = "K", description = "Patching sweeps per prompt (needs corrupted_prompt), e.g. resid_pre.")
    public List<String> patching = new ArrayList<>();

    @Option(names = "--attribution", arity = "1..*", paramLabel = "A",
            description = "Attribution patching per prompt (needs corrupted_prompt): each kind's gradient estimate of its patching sweep, e.g. attn_head_out_all_pos.")
    public List<String> attribution = new ArrayList<>();

    @Option(names = "--threads", paramLabel = "THREADS", description = "Prompts analyzed at once (default: the number of cores).")
    public Integer threads;

    @Option(names = "--shard-size", paramLabel = "ROWS", defaultValue = "64", description = "Prompts per shard, the unit a stopped run resumes from (default ${DEFAULT-VALUE}).")
    public int shardSize;

    @Option(names = "--resume", description = "Continue a stopped run from its completed shards (R.parquet.shards/).")
    public boolean resume;

    @Option(names = "--overwrite", description = "Start again, discarding a stopped run's shards.")
    public boolean overwrite;

    @Option(names = "--skip-bad-rows", description = "Skip rows that cannot be read or analyzed (counted in the summary) instead of stopping.")
    public boolean skipBadRows;

    @Option(names = "--no-bos", description = "Do not prepend the BOS token to the prompts.")
    public boolean noBos;

    /** Checks the numbers before anything is loaded. */
    public void check() {
        if (threads != null && threads < 1) throw new JlensException("--threads must be 1 or more, got " + threads);
        if (shardSize < 1) throw new JlensException("--shard-size must be 1 or more, got " + shardSize);
        if (resume && overwrite) throw new JlensException("--resume and --overwrite contradict each other; give one");
    }

    /** The patching sweeps of --patching, each once. */
    public List<PatchKind> patchingKinds() {
        return kinds("--patching", patching);
    }

    /** The attribution estimates of --attribution, each once. */
    public List<PatchKind> attributionKinds() {
        return kinds("--attribution", attribution);
    }

    private static List<PatchKind> kinds(String option, List<String> ids) {
        List<PatchKind> kinds = new ArrayList<>();
        for (String k : ids) {
            PatchKind kind = PatchKind.byId(k).orElseThrow(() -> new JlensException(option + ": unknown patching kind \"" + k + "\" (known: " + PatchKind.allIds() + ")"));
            if (!kinds.contains(kind)) kinds.add(kind);
        }
        return kinds;
    }

    /** The first line a finished run prints. */
    public String summary(long rows, long skipped, String firstSkipped) {
        return rows + " prompts analyzed into " + out + (skipped > 0 ? "; " + skipped + " bad rows skipped (first: " + firstSkipped + ")" : "");
    }
}
