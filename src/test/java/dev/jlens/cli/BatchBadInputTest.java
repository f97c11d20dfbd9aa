package dev.jlens.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad datasets and options of {@code jlens batch}, {@code dataset} and {@code sql}: one line each, naming the input. */
class BatchBadInputTest {
    private static final String GOOD = "{\"prompt\": \"When John and Mary went to the shops, John gave the bag to\", \"answers\": [\" Mary\", \" John\"]}\n";

    @TempDir
    Path dir;

    private CliRunner.Result batch(Path data, String... more) {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("batch", "--model", BatchCommandTest.MODEL, "--dataset", data.toString(),
                "--out", dir.resolve("r.parquet").toString()));
        args.addAll(java.util.List.of(more));
        CliRunner.Result r = Refused.run(args.toArray(String[]::new));
        Refused.nothingWritten(dir.resolve("r.parquet"));
        return r;
    }

    @Test
    void aMissingColumnNamesTheRow() throws Exception {
        Path data = Files.writeString(dir.resolve("d.jsonl"), GOOD + "{\"prompt\": \"x\", \"answer\": \" y\"}\n");
        assertThat(batch(data).err()).isEqualTo("jlens: " + data + ": line 2: no \"answers\" column (the row has: prompt, answer)\n");
    }

    @Test
    void aMalformedRowNamesItsLine() throws Exception {
        Path data = Files.writeString(dir.resolve("d.jsonl"), GOOD + GOOD + "{\"prompt\": \"x\", \"answers\": [\" y\"\n");
        assertThat(batch(data).err()).startsWith("jlens: " + data + ": line 3: not valid JSON (");
        Path csv = Files.writeString(dir.resolve("d.csv"), "prompt,answers\n\"a\"b,x\n");
        assertThat(batch(csv).err()).startsWith("jlens: " + csv + ": line 2: text after a closing quote");
    }

    @Test
    void anAnswerOfSeveralTokensNamesTheRow() throws Exception {
        Path data = Files.writeString(dir.resolve("d.jsonl"), GOOD + "{\"prompt\": \"When John and Mary went to the shops, John gave the bag to\", \"answers\": [\" Maryanne-Louise\", \" John\"]}\n");
        assertThat(batch(data).err()).startsWith("jlens: " + data + ": line 2: answers[0][0] ' Maryanne-Louise' is ")
                .endsWith("; each answer must be a single token (mind the leading space)\n");
    }

    @Test
    void aColumnNamedLikeAResultIsRefused() throws Exception {
        Path data = Files.writeString(dir.resolve("d.jsonl"), "{\"prompt\": \"a b\", \"answers\": [\" x\", \" y\"], \"logit_diff\": 3}\n");
        assertThat(batch(data).err()).isEqualTo("jlens: " + data + ": line 1: column \"logit_diff\" has the name of a result column; rename it\n");
    }

    @Test
    void anUnreadableDatasetIsRefused() throws Exception {
        assertThat(batch(dir.resolve("none.jsonl")).err()).isEqualTo("jlens: " + dir.resolve("none.jsonl") + ": no such dataset file\n");
        Path notParquet = Files.writeString(dir.resolve("d.parquet"), "no");
        assertThat(batch(notParquet).err()).startsWith("jlens: " + notParquet + ": not a readable Parquet file (");
    }

    @Test
    void patchingNeedsACorruptedPrompt() throws Exception {
        Path data = Files.writeString(dir.resolve("d.jsonl"), GOOD);
        assertThat(batch(data, "--patching", "resid_pre").err())
                .isEqualTo("jlens: " + data + ": line 1: patching needs a \"corrupted_prompt\" (the run the clean activations are pasted into)\n");
        assertThat(batch(data, "--patching", "resid_prex").err()).startsWith("jlens: --patching: unknown patching kind \"resid_prex\" (known: ");
        assertThat(batch(data, "--attribution", "resid_pre").err())
                .isEqualTo("jlens: " + data + ": line 1: attribution patching needs a \"corrupted_prompt\" (the run the clean activations are pasted into)\n");
        assertThat(batch(data, "--attribution", "resid_prex").err()).startsWith("jlens: --attribution: unknown patching kind \"resid_prex\" (known: ");
    }

    @Test
    void badRowsAreSkippedWhenAskedAndCounted() throws Exception {
        Path data = Files.writeString(dir.resolve("d.jsonl"), GOOD + "not json\n" + GOOD
                + "{\"prompt\": \"a\", \"answers\": [\" Maryanne-Louise\", \" John\"]}\n");
        Path out = dir.resolve("r.parquet");
        CliRunner.Result r = CliRunner.run("batch", "--model", BatchCommandTest.MODEL, "--dataset", data.toString(), "--out", out.toString(), "--skip-bad-rows");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("2 prompts analyzed into " + out + "; 2 bad rows skipped (first: " + data + ": line 2: not valid JSON (");
        assertThat(ParquetRows.read(out)).extracting(row -> row.get("row")).containsExactly(0L, 2L);
    }

    @Test
    void aStoppedRunsShardsAreNeitherDroppedNorMixedWithAnotherJob() throws Exception {
        Path data = Files.writeString(dir.resolve("d.jsonl"), GOOD + GOOD + "{\"prompt\": \"x\"}\n");
        batch(data, "--shard-size", "1");
        Path shards = BatchJobFiles.shardFolder(dir.resolve("r.parquet"));
        assertThat(shards.resolve("shard-000001.jsonl")).exists();
        assertThat(batch(data, "--shard-size", "1").err())
                .isEqualTo("jlens: " + shards + ": holds the shards of an unfinished run; --resume to continue it or --overwrite to start again\n");
        assertThat(batch(data, "--shard-size", "2", "--resume").err())
                .isEqualTo("jlens: " + shards + ": holds the shards of a different job (other model, dataset or options); --overwrite to start again\n");
        assertThat(batch(data, "--resume", "--overwrite").err()).isEqualTo("jlens: --resume and --overwrite contradict each other; give one\n");
    }

    @Test
    void generatorsAndSqlRefuseBadArguments() throws Exception {
        assertThat(Refused.run("dataset", "ioi", "--n", "0", "--out", dir.resolve("x.jsonl").toString()).err()).isEqualTo("jlens: --n must be 1 or more, got 0\n");
        assertThat(Refused.run("sql", "SELECT 1", dir.resolve("none.parquet").toString()).err()).isEqualTo("jlens: " + dir.resolve("none.parquet") + ": no such Parquet file\n");
        assertThat(Refused.run("sql", "SELEC 1").err()).startsWith("jlens: the query: syntax error at or near \"SELEC\"");
    }
}
