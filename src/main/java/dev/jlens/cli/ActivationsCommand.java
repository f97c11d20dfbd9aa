package dev.jlens.cli;

import dev.jlens.JlensException;
import dev.jlens.dataset.ActivationExport;
import dev.jlens.dataset.ActivationShards;
import dev.jlens.dataset.LocalRunner;
import dev.jlens.dataset.Rows;
import dev.jlens.dataset.TokenRow;
import dev.jlens.io.Json;
import dev.jlens.model.CacheOptions;
import dev.jlens.model.HookedTransformer;
import dev.jlens.tensor.Parallel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.regex.PatternSyntaxException;

/** {@code jlens activations}: the activations of chosen hook points over a corpus, as safetensors shards. */
@Command(name = "activations", mixinStandardHelpOptions = true,
        description = "Export the activations of the hook points a regular expression names over a corpus (tokenize_and_concatenate rows) "
                + "as safetensors shards plus a manifest.json (hook names, shapes, token ids, source documents).")
final class ActivationsCommand extends ModelCommand {
    @Mixin
    CorpusOptions corpus;

    @Option(names = "--hooks", required = true, paramLabel = "REGEX", description = "Hook names the regular expression matches in full, e.g. 'blocks\\.[01]\\.hook_resid_post'.")
    String hooks;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The folder of shards (shard-000000.safetensors, ...) and manifest.json.")
    Path out;

    @Option(names = "--shard-size", paramLabel = "ROWS", defaultValue = "32", description = "Rows per shard, the unit a stopped run resumes from (default ${DEFAULT-VALUE}).")
    int shardSize;

    @Option(names = "--resume", description = "Continue a stopped run from its completed shards.")
    boolean resume;

    @Option(names = "--overwrite", description = "Start again, replacing the folder's shards.")
    boolean overwrite;

    @Override
    public void run() {
        corpus.check();
        if (shardSize < 1) throw new JlensException("--shard-size must be 1 or more, got " + shardSize);
        if (resume && overwrite) throw new JlensException("--resume and --overwrite contradict each other; give one");
        try {
            CacheOptions.regex(hooks);
        } catch (PatternSyntaxException e) {
            throw new JlensException("--hooks: '" + hooks + "' is not a valid regular expression (" + e.getDescription() + ")");
        }
        Inputs.outputFolder(out, corpus.inputs(streams(), model.model));
        HookedTransformer m = corpus.withSaes(streams(), loadModel());
        if (m.hookPoints().stream().noneMatch(CacheOptions.regex(hooks))) {
            throw new JlensException("--hooks '" + hooks + "' matches no hook point (e.g. blocks\\.0\\.hook_resid_pre)");
        }
        int ctx = corpus.context(m);
        Json.Obj job = corpus.describe("activations", m, ctx).put("hooks", hooks).put("shard_size", Json.Num.of(shardSize));
        ActivationShards shards = ActivationShards.open(out, job, resume, overwrite);
        long rows;
        try (Rows<TokenRow> source = corpus.open(m, ctx); Parallel workers = Workers.of(corpus.threads);
             ProgressBar bar = ProgressBar.rows(streams(), "rows")) {
            rows = new LocalRunner(workers, shardSize, corpus.batchSize, bar).run(corpus.limited(source, ctx), -1, ActivationExport.on(m, hooks), shards);
        }
        if (rows == 0) {
            shards.discard();
            throw new JlensException(corpus.dataset + ": has no tokens to run");
        }
        Json.Obj manifest = shards.finish(new Json.Obj().put("format", "jlens activations").put("model", m.cfg().modelName()).put("context", Json.Num.of(ctx))
                .put("prepend_bos", new Json.Bool(!corpus.noBos)));
        streams().out().println(manifest.get("rows") + " rows (" + manifest.get("tokens") + " tokens) of " + java.util.stream.StreamSupport.stream(((Json.Obj) manifest.get("hooks")).names().spliterator(), false).count()
                + " hook points written to " + out);
        streams().out().flush();
    }
}
