package dev.jlens.cli;

import dev.jlens.JlensException;
import dev.jlens.dataset.ActivationExport;
import dev.jlens.dataset.ActivationShards;
import dev.jlens.dataset.LocalRunner;
import dev.jlens.dataset.Rows;
import dev.jlens.dataset.TokenRow;
import dev.jlens.io.Json;
import dev.jlens.model.HookedTransformer;
import dev.jlens.tensor.Parallel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.nio.file.Path;

/** {@code jlens activations}: the activations of chosen hook points over a corpus, as safetensors shards. */
@Command(name = "activations", mixinStandardHelpOptions = true,
        description = ActivationsOptions.DESCRIPTION)
final class ActivationsCommand extends ModelCommand {
    @Mixin
    CorpusOptions corpus;

    @Mixin
    ActivationsOptions job;

    @Override
    public void run() {
        corpus.check();
        job.check();
        Path out = Path.of(job.out);
        Inputs.outputFolder(out, corpus.inputs(streams(), model.model));
        HookedTransformer m = corpus.withSaes(streams(), loadModel());
        ActivationExport.checkMatches(job.hooks, m.hookPoints());
        int ctx = corpus.context(m);
        Json.Obj described = corpus.describe("activations", m, ctx).put("hooks", job.hooks).put("shard_size", Json.Num.of(job.shardSize));
        ActivationShards shards = ActivationShards.open(out, described, job.resume, job.overwrite);
        long rows;
        try (Rows<TokenRow> source = corpus.open(m, ctx); Parallel workers = Workers.of(corpus.threads);
             ProgressBar bar = ProgressBar.rows(streams(), "rows")) {
            rows = new LocalRunner(workers, job.shardSize, corpus.batchSize, bar).run(corpus.limited(source, ctx), -1, ActivationExport.on(m, job.hooks), shards);
        }
        if (rows == 0) {
            shards.discard();
            throw new JlensException(corpus.dataset + ": has no tokens to run");
        }
        Json.Obj manifest = shards.finish(ActivationShards.about(m.cfg().modelName(), ctx, !corpus.noBos));
        streams().out().println(ActivationsOptions.summary(manifest, job.out));
        streams().out().flush();
    }
}
