package dev.jlens.cli;

import dev.jlens.dataset.TextCorpus;
import dev.jlens.dataset.TokenRow;
import dev.jlens.dataset.TokenizeAndConcatenate;
import dev.jlens.model.CacheOptions;
import dev.jlens.model.HookedTransformer;
import dev.jlens.sae.Sae;
import dev.jlens.sae.Saes;
import dev.jlens.tensor.IntTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code jlens top-activations}: each unit's top K equals a brute-force scan of every activation of a small corpus. */
class TopActivationsCommandTest {
    static final String MODEL = BatchCommandTest.MODEL;
    static final String SAE = "src/test/resources/fixtures/saes/tiny-gpt2-a/standard";
    static final int K = 3, CONTEXT = 8;

    @TempDir
    Path dir;

    private record Entry(int unit, float value, long row, int position) {}

    /** Every activation of every row (each row run alone), sorted per unit by value (highest first), row, position; the first K of each unit. */
    private static List<Entry> bruteForce(HookedTransformer model, Path corpus, String hook) {
        List<Entry> all = new ArrayList<>();
        try (TokenizeAndConcatenate rows = new TokenizeAndConcatenate(TextCorpus.open(corpus, null), model.tokenizer(), CONTEXT, true)) {
            while (rows.hasNext()) {
                TokenRow row = rows.next();
                float[] a = model.runWithCache(IntTensor.of(row.tokens(), 1, row.tokens().length),
                        CacheOptions.ALL.withNamesFilter(CacheOptions.names(hook)).withRemoveBatchDim(true)).cache().get(hook).toArray();
                int units = a.length / row.tokens().length;
                for (int p = 0; p < row.tokens().length; p++) for (int u = 0; u < units; u++) all.add(new Entry(u, a[p * units + u], row.row(), p));
            }
        }
        all.sort(Comparator.comparingInt(Entry::unit).thenComparing(Entry::value, Comparator.reverseOrder()).thenComparingLong(Entry::row)
                .thenComparingInt(Entry::position));
        List<Entry> top = new ArrayList<>();
        int[] taken = new int[all.stream().mapToInt(Entry::unit).max().orElseThrow() + 1];
        for (Entry e : all) if (taken[e.unit()]++ < K) top.add(e);
        return top;
    }

    private Path corpus() throws Exception {
        return Files.writeString(dir.resolve("c.txt"), ActivationsCommandTest.CORPUS);
    }

    private void checkAgainstBruteForce(Path out, List<Entry> expected, HookedTransformer model) throws Exception {
        List<Map<String, Object>> rows = ParquetRows.read(out);
        assertThat(rows).hasSize(expected.size());
        List<int[]> tokens = new ArrayList<>();
        try (TokenizeAndConcatenate t = new TokenizeAndConcatenate(TextCorpus.open(dir.resolve("c.txt"), null), model.tokenizer(), CONTEXT, true)) {
            t.forEachRemaining(r -> tokens.add(r.tokens()));
        }
        for (int i = 0; i < rows.size(); i++) {
            Map<String, Object> row = rows.get(i);
            Entry e = expected.get(i);
            assertThat(List.of(row.get("unit"), row.get("rank"), row.get("value"), row.get("row"), row.get("position")))
                    .as("table row %d", i).isEqualTo(List.of(e.unit(), i % K, e.value(), e.row(), e.position()));
            int[] rowTokens = tokens.get((int) e.row());
            assertThat(row.get("token")).isEqualTo(rowTokens[e.position()]);
            int from = Math.max(0, e.position() - 8);
            int[] context = Arrays.copyOfRange(rowTokens, from, Math.min(rowTokens.length, e.position() + 5));
            assertThat(row.get("context_tokens")).isEqualTo(Arrays.stream(context).boxed().map(Object.class::cast).toList());
            assertThat(row.get("context_position")).isEqualTo(e.position() - from);
            assertThat(row.get("context")).isEqualTo(model.tokenizer().decode(context));
        }
    }

    @Test
    void theTopKOfEveryNeuronEqualABruteForceScan() throws Exception {
        Path corpus = corpus(), out = dir.resolve("top.parquet");
        String hook = "blocks.1.mlp.hook_post";
        CliRunner.Result r = CliRunner.run("top-activations", "--model", MODEL, "--dataset", corpus.toString(), "--hook", hook, "--k", "" + K,
                "--context", "" + CONTEXT, "--batch-size", "1", "--threads", "2", "--out", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        HookedTransformer model = HookedTransformer.fromPretrained(MODEL);
        List<Entry> expected = bruteForce(model, corpus, hook);
        assertThat(r.out()).startsWith(expected.size() + " top activations (3 per unit of " + hook + ", over ");
        checkAgainstBruteForce(out, expected, model);
    }

    @Test
    void anSaeFeatureHookWorksAsANeuronHook() throws Exception {
        Path corpus = corpus(), out = dir.resolve("top.parquet");
        String hook = "blocks.2.hook_mlp_out.hook_sae_acts_post";
        CliRunner.Result r = CliRunner.run("top-activations", "--model", MODEL, "--sae", SAE, "--dataset", corpus.toString(), "--hook", hook, "--k", "" + K,
                "--context", "" + CONTEXT, "--batch-size", "1", "--out", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        HookedTransformer model = Saes.withSaes(HookedTransformer.fromPretrained(MODEL), true, Sae.load(Path.of(SAE)));
        checkAgainstBruteForce(out, bruteForce(model, corpus, hook), model);
    }

    @Test
    void theTableIsTheSameOnAnyNumberOfThreads() throws Exception {
        Path corpus = corpus();
        List<byte[]> tables = new ArrayList<>();
        for (String threads : List.of("1", "3")) {
            Path out = dir.resolve("top-" + threads + ".parquet");
            CliRunner.Result r = CliRunner.run("top-activations", "--model", MODEL, "--dataset", corpus.toString(), "--hook", "blocks.0.attn.hook_z",
                    "--k", "2", "--context", "6", "--batch-size", "2", "--threads", threads, "--out", out.toString());
            assertThat(r.exitCode()).as(r.err()).isZero();
            tables.add(Files.readAllBytes(out));
        }
        assertThat(tables.get(1)).isEqualTo(tables.get(0));
    }

    @Test
    void aHookWithoutAValuePerPositionOrUnknownIsRefused() throws Exception {
        Path corpus = corpus(), out = dir.resolve("top.parquet");
        CliRunner.Result r = Refused.run("top-activations", "--model", MODEL, "--dataset", corpus.toString(), "--hook", "blocks.0.attn.hook_pattern",
                "--context", "8", "--out", out.toString());
        assertThat(r.err()).startsWith("jlens: --hook: \"blocks.0.attn.hook_pattern\" is not shaped [positions, units] per row");
        r = Refused.run("top-activations", "--model", MODEL, "--dataset", corpus.toString(), "--hook", "blocks.0.hook_resid_pre.hook_sae_acts_post",
                "--out", out.toString());
        assertThat(r.err()).isEqualTo("jlens: --hook: tiny-gpt2-a has no hook point \"blocks.0.hook_resid_pre.hook_sae_acts_post\" "
                + "(e.g. blocks.0.mlp.hook_post; an SAE's features need --sae)\n");
        Refused.nothingWritten(out);
    }
}
