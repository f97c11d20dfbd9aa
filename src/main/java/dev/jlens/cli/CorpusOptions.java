package dev.jlens.cli;

import dev.jlens.JlensException;
import dev.jlens.dataset.CorpusRows;
import dev.jlens.dataset.Rows;
import dev.jlens.dataset.TokenRow;
import dev.jlens.io.Json;
import dev.jlens.model.HookedTransformer;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The corpus options of the jobs over rows of tokens ({@code activations}, {@code top-activations}), declared once
 * for the command line and jlens-spark's driver (public for that).
 */
public final class CorpusOptions {
    @Option(names = "--dataset", required = true, paramLabel = "C",
            description = "A text corpus (.txt lines, or a text column of .jsonl/.csv/.parquet) or a tokens dataset (jlens dataset induction).")
    public String dataset;

    @Option(names = "--column", paramLabel = "COLUMN", description = "The text column of a corpus (default text).")
    public String column;

    @Option(names = "--context", paramLabel = "TOKENS", description = "Tokens per row of a corpus, BOS included (default: the model's n_ctx, at most 1024).")
    public Integer context;

    @Option(names = "--max-tokens", paramLabel = "T", description = "Run at most T tokens (whole rows).")
    public Long maxTokens;

    @Option(names = "--threads", paramLabel = "THREADS", description = "Batches run at once (default: the number of cores).")
    public Integer threads;

    @Option(names = "--batch-size", paramLabel = "BATCH", defaultValue = "4", description = "Rows per forward pass (default ${DEFAULT-VALUE}).")
    public int batchSize;

    @Option(names = "--no-bos", description = "Do not put the BOS token before each row of a corpus.")
    public boolean noBos;

    @Option(names = "--sae", paramLabel = "SAE", description = "Splice in an SAE (a folder in SAELens' layout, or REPO_ID/SUBFOLDER on the Hub); "
            + "its hook points (<hook>.hook_sae_acts_post, ...) can then be named. Repeatable.")
    public List<String> saes = new ArrayList<>();

    /** Checks the numbers and the dataset before anything is loaded. */
    void check() {
        checkNumbers();
        if (!Files.exists(datasetPath())) throw new JlensException(dataset + ": no such dataset file");
    }

    /** Checks the numbers. */
    public void checkNumbers() {
        if (threads != null && threads < 1) throw new JlensException("--threads must be 1 or more, got " + threads);
        if (batchSize < 1) throw new JlensException("--batch-size must be 1 or more, got " + batchSize);
        if (maxTokens != null && maxTokens < 1) throw new JlensException("--max-tokens must be 1 or more, got " + maxTokens);
    }

    Path datasetPath() {
        return Path.of(dataset);
    }

    /** The inputs an output must not replace: the dataset, a model folder, SAE folders. */
    List<Inputs.Input> inputs(Main.Streams streams, String model) {
        List<Inputs.Input> inputs = new ArrayList<>(List.of(new Inputs.Input("the --dataset file " + dataset, datasetPath())));
        Inputs.modelFolder(streams, model).ifPresent(inputs::add);
        for (String sae : saes) SaeOption.folder(sae).ifPresent(inputs::add);
        return inputs;
    }

    /** The model with the SAEs spliced in (their error term keeping the model's own activations as they are). */
    HookedTransformer withSaes(Main.Streams streams, HookedTransformer m) {
        return saes.isEmpty() ? m : dev.jlens.sae.Saes.withSaes(m, true, SaeOption.loadAll(streams, saes));
    }

    int context(HookedTransformer m) {
        return context(m.cfg().nCtx());
    }

    /** The tokens per row for a model of context {@code nCtx}: --context, by default n_ctx (at most 1024), checked. */
    public int context(int nCtx) {
        return CorpusRows.context(context, nCtx, maxTokens);
    }

    Rows<TokenRow> open(HookedTransformer m, int ctx) {
        return CorpusRows.open(datasetPath(), column, m.tokenizer(), ctx, !noBos);
    }

    /** The rows to run: all, or as many whole rows as fit in --max-tokens. */
    Iterator<TokenRow> limited(Rows<TokenRow> rows, int ctx) {
        return maxTokens == null ? rows : CorpusRows.first(rows, CorpusRows.maxRows(maxTokens, ctx));
    }

    /** What a resumed run must agree on. */
    Json.Obj describe(String job, HookedTransformer m, int ctx) {
        return new Json.Obj().put("job", job).put("model", m.cfg().modelName())
                .put("dataset", datasetPath().toAbsolutePath().normalize().toString()).put("dataset_bytes", Json.Num.of(size(datasetPath())))
                .put("column", column == null ? Json.Null.NULL : new Json.Str(column)).put("context", Json.Num.of(ctx))
                .put("max_tokens", maxTokens == null ? Json.Null.NULL : Json.Num.of(maxTokens)).put("prepend_bos", new Json.Bool(!noBos))
                .put("batch_size", Json.Num.of(batchSize)).put("saes", Json.Arr.ofStrings(saes));
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (java.io.IOException e) {
            return -1;
        }
    }
}
