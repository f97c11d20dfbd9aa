package dev.jlens.cli;

import dev.jlens.io.Json;
import dev.jlens.model.CacheOptions;
import dev.jlens.model.HookedTransformer;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;
import dev.jlens.testing.NumpyTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code jlens activations}: shards that Python reads without jlens, equal to the cache of their tokens; resumable, thread-count free. */
class ActivationsCommandTest {
    static final String MODEL = BatchCommandTest.MODEL;
    static final String HOOKS = "blocks\\.0\\.hook_resid_pre|blocks\\.1\\.mlp\\.hook_post|blocks\\.0\\.attn\\.hook_z";
    static final String CORPUS = "When John and Mary went to the shops, John gave the bag to Mary.\n"
            + "The cat sat on the mat and looked at the dog.\n"
            + "One two three four five six seven eight nine ten.\n"
            + "A quick brown fox jumps over the lazy dog again and again.\n";

    @TempDir
    Path dir;

    private CliRunner.Result export(Path out, String... more) throws IOException {
        Path corpus = dir.resolve("c.txt");
        if (!Files.exists(corpus)) Files.writeString(corpus, CORPUS);
        List<String> args = new ArrayList<>(List.of("activations", "--model", MODEL, "--dataset", corpus.toString(), "--hooks", HOOKS,
                "--context", "8", "--out", out.toString(), "--shard-size", "3", "--batch-size", "2"));
        args.addAll(List.of(more));
        return CliRunner.run(args.toArray(String[]::new));
    }

    @NumpyTest
    @Test
    void shardsReadBackWithNumpyEqualTheCacheOfTheirTokens() throws Exception {
        Path out = dir.resolve("acts");
        CliRunner.Result r = export(out, "--threads", "2");
        assertThat(r.exitCode()).as(r.err()).isZero();
        Json.Obj manifest = (Json.Obj) Json.parse(Files.readString(out.resolve("manifest.json")), 16);
        long rows = Long.parseLong(manifest.get("rows").toString());
        assertThat(rows).isGreaterThan(3);
        assertThat(r.out()).isEqualTo(rows + " rows (" + 8 * rows + " tokens) of 3 hook points written to " + out + "\n");
        HookedTransformer model = HookedTransformer.fromPretrained(MODEL);
        Path script = Path.of("src/test/resources/dataset/read_activations.py").toAbsolutePath();
        for (long row = 0; row < rows; row++) {
            Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), out.toString(), Long.toString(row)).redirectErrorStream(true).start();
            String json = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as(json).isZero();
            Json.Obj read = (Json.Obj) Json.parse(json, 16);
            int[] tokens = BatchCommandTest.ints((Json.Arr) read.get("tokens")).stream().mapToInt(o -> (Integer) o).toArray();
            Map<String, Tensor> expected = model.runWithCache(IntTensor.of(tokens, 1, tokens.length),
                    CacheOptions.ALL.withNamesFilter(CacheOptions.regex(HOOKS)).withRemoveBatchDim(true)).cache().asMap();
            assertThat(expected).hasSize(3);
            for (Map.Entry<String, Tensor> e : expected.entrySet()) {
                Json.Obj hook = (Json.Obj) read.get(e.getKey());
                assertThat(BatchCommandTest.ints((Json.Arr) hook.get("shape"))).as(e.getKey())
                        .isEqualTo(java.util.Arrays.stream(e.getValue().shape()).boxed().map(Object.class::cast).toList());
                List<Object> values = BatchCommandTest.floats(hook.get("values"));
                float[] want = e.getValue().toArray();
                assertThat(values).hasSize(want.length);
                float max = 0;
                for (float w : want) max = Math.max(max, Math.abs(w));
                for (int i = 0; i < want.length; i++) {
                    float got = (Float) values.get(i);
                    // The fixtures' float32 tolerance.
                    assertThat((double) Math.abs(got - want[i])).as("%s[%d] of row %d", e.getKey(), i, row)
                            .isLessThanOrEqualTo(1e-4 * Math.max(1, max) + 1e-3 * Math.abs(want[i]));
                }
            }
        }
    }

    @Test
    void aStoppedExportResumesToTheSameFilesAndThreadsDoNotChangeThem() throws Exception {
        Path one = dir.resolve("one"), three = dir.resolve("three");
        assertThat(export(one, "--threads", "1").exitCode()).isZero();
        assertThat(export(three, "--threads", "3").exitCode()).isZero();
        assertThat(files(three)).isEqualTo(files(one));

        // As a run stopped after its first shard leaves the folder: no later shard, no manifest.
        Map<String, String> whole = files(one);
        try (Stream<Path> s = Files.list(one)) {
            for (Path p : s.toList()) if (!p.getFileName().toString().equals("job.json") && !p.getFileName().toString().equals("shard-000000.safetensors")) Files.delete(p);
        }
        CliRunner.Result again = export(one, "--threads", "2");
        assertThat(again.exitCode()).isOne();
        assertThat(again.err()).isEqualTo("jlens: " + one + ": holds the shards of an unfinished run; --resume to continue it or --overwrite to start again\n");
        CliRunner.Result resumed = export(one, "--threads", "2", "--resume");
        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        assertThat(files(one)).isEqualTo(whole);
    }

    /** A folder's files, name to the SHA-256 of their bytes. */
    private static Map<String, String> files(Path folder) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.list(folder)) {
            for (Path p : s.toList()) {
                out.put(p.getFileName().toString(), java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
            }
        }
        return out;
    }

    @Test
    void aFinishedExportIsReplacedOnlyWithOverwrite() throws Exception {
        Path out = dir.resolve("acts");
        assertThat(export(out).exitCode()).isZero();
        CliRunner.Result r = Refused.check(export(out), 1);
        assertThat(r.err()).isEqualTo("jlens: " + out + ": holds a finished export (manifest.json); --overwrite to replace it\n");
        assertThat(export(out, "--overwrite").exitCode()).isZero();
    }

    @Test
    void aFolderThatIsNotAnExportsIsNeverEmptied() throws Exception {
        Path out = Files.createDirectories(dir.resolve("mine"));
        Path keep = Files.writeString(out.resolve("notes.txt"), "mine");
        CliRunner.Result r = Refused.check(export(out, "--overwrite"), 1);
        assertThat(r.err()).isEqualTo("jlens: " + out + ": exists and is not a jlens job's folder (no job.json); name a new or empty folder\n");
        assertThat(keep).hasContent("mine");
    }

    @Test
    void hooksThatMatchNothingAndTooFewTokensAreRefused() throws Exception {
        Path out = dir.resolve("acts");
        Path corpus = Files.writeString(dir.resolve("c.txt"), CORPUS);
        CliRunner.Result r = Refused.run("activations", "--model", MODEL, "--dataset", corpus.toString(), "--hooks", "blocks\\.9\\..*", "--out", out.toString());
        assertThat(r.err()).isEqualTo("jlens: --hooks 'blocks\\.9\\..*' matches no hook point (e.g. blocks\\.0\\.hook_resid_pre)\n");
        r = Refused.run("activations", "--model", MODEL, "--dataset", corpus.toString(), "--hooks", HOOKS, "--context", "8", "--max-tokens", "5", "--out", out.toString());
        assertThat(r.err()).isEqualTo("jlens: --max-tokens 5 is less than one row of --context 8 tokens\n");
        assertThat(out).doesNotExist();
    }

    /** A corpus whose only document is empty has no tokens: each corpus command says so in one line and writes nothing. */
    @Test
    void aCorpusOfOnlyAnEmptyDocumentIsRefused() throws Exception {
        Path corpus = Files.writeString(dir.resolve("empty.jsonl"), "{\"text\": \"\"}\n");
        Path out = dir.resolve("acts"), top = dir.resolve("top.parquet");
        CliRunner.Result r = Refused.run("activations", "--model", MODEL, "--dataset", corpus.toString(), "--hooks", HOOKS, "--context", "8", "--out", out.toString());
        assertThat(r.err()).isEqualTo("jlens: " + corpus + ": has no tokens to run\n");
        assertThat(out).as("no half-made export").doesNotExist();
        r = Refused.run("top-activations", "--model", MODEL, "--dataset", corpus.toString(), "--hook", "blocks.0.mlp.hook_post", "--k", "2", "--out", top.toString());
        assertThat(r.err()).isEqualTo("jlens: " + corpus + ": has no tokens to run\n");
        assertThat(top).doesNotExist();
        r = Refused.run("eval", "--model", MODEL, "--dataset", corpus.toString());
        assertThat(r.err()).isEqualTo("jlens: " + corpus + ": has nothing to evaluate (no rows, or no tokens)\n");
    }
}
