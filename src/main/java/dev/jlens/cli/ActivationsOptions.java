package dev.jlens.cli;

import dev.jlens.JlensException;
import dev.jlens.model.CacheOptions;
import picocli.CommandLine.Option;

import java.util.regex.PatternSyntaxException;

/** The options of {@code activations} besides the model and the corpus, declared once for the command line and jlens-spark's driver. */
public final class ActivationsOptions {
    /** What the command does, as its help says (here and on Spark). */
    public static final String DESCRIPTION = "Export the activations of the hook points a regular expression names over a corpus (tokenize_and_concatenate rows) "
                + "as safetensors shards plus a manifest.json (hook names, shapes, token ids, source documents).";

    @Option(names = "--hooks", required = true, paramLabel = "REGEX", description = "Hook names the regular expression matches in full, e.g. 'blocks\\.[01]\\.hook_resid_post'.")
    public String hooks;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The folder of shards (shard-000000.safetensors, ...) and manifest.json.")
    public String out;

    @Option(names = "--shard-size", paramLabel = "ROWS", defaultValue = "32", description = "Rows per shard, the unit a stopped run resumes from (default ${DEFAULT-VALUE}).")
    public int shardSize;

    @Option(names = "--resume", description = "Continue a stopped run from its completed shards.")
    public boolean resume;

    @Option(names = "--overwrite", description = "Start again, replacing the folder's shards.")
    public boolean overwrite;

    /** Checks the options before anything is loaded. */
    public void check() {
        if (shardSize < 1) throw new JlensException("--shard-size must be 1 or more, got " + shardSize);
        if (resume && overwrite) throw new JlensException("--resume and --overwrite contradict each other; give one");
        try {
            CacheOptions.regex(hooks);
        } catch (PatternSyntaxException e) {
            throw new JlensException("--hooks: '" + hooks + "' is not a valid regular expression (" + e.getDescription() + ")");
        }
    }

    /** The line a finished export prints, from its manifest. */
    public static String summary(dev.jlens.io.Json.Obj manifest, String out) {
        long hooks = java.util.stream.StreamSupport.stream(((dev.jlens.io.Json.Obj) manifest.get("hooks")).names().spliterator(), false).count();
        return manifest.get("rows") + " rows (" + manifest.get("tokens") + " tokens) of " + hooks + " hook points written to " + out;
    }
}
