package dev.jlens.spark;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code activations} and {@code top-activations} through the Spark driver in local mode (two worker threads), each
 * given the same command line as {@code jlens}: the local engine's shard files byte for byte, and its table row for row.
 */
class SparkCorpusJobsLocalTest {
    static SparkSession spark;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        spark = SparkFixtures.localSession("jlens-spark corpus tests");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void activationsOfACorpusOfTwoDocumentGroupsAreTheLocalEnginesShardsByteForByte() throws Exception {
        Path corpus = SparkFixtures.documents(dir, 1300);
        List<String> args = List.of("activations", "--model", SparkFixtures.MODEL.toString(), "--dataset", corpus.toString(),
                "--hooks", "blocks\\.[01]\\.hook_resid_post|blocks\\.1\\.attn\\.hook_z", "--context", "48", "--shard-size", "16", "--batch-size", "3");
        Path local = dir.resolve("local"), onSpark = dir.resolve("spark");
        SparkFixtures.Run expected = SparkFixtures.jlens(concat(args, "--out", local.toString()));
        assertThat(expected.code()).as(expected.err()).isZero();
        JlensSparkLocalTest.Run actual = JlensSparkLocalTest.driver(concat(args, "--out", onSpark.toString()).toArray(String[]::new));
        assertThat(actual.code()).as(actual.err()).isZero();
        assertThat(actual.out()).isEqualTo(expected.out().replace(local.toString(), onSpark.toString()));
        List<String> shards = SparkFixtures.shardFiles(local);
        assertThat(shards).as("rows from both document groups, in several shards").hasSizeGreaterThan(3);
        assertThat(SparkFixtures.shardFiles(onSpark)).isEqualTo(shards);
        for (String shard : shards) {
            assertThat(Files.readAllBytes(onSpark.resolve(shard))).as(shard).isEqualTo(Files.readAllBytes(local.resolve(shard)));
        }
        assertThat(Files.readString(onSpark.resolve("manifest.json"))).isEqualTo(Files.readString(local.resolve("manifest.json")));
        assertThat(Files.readString(local.resolve("manifest.json"))).as("rows of the second group").containsPattern("\"last_document\":\\[[^\\]]*\\b12\\d\\d\\b");
        try (var files = Files.list(onSpark)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> !shards.contains(n))).as("no attempt or checksum files").containsExactly("manifest.json");
        }
    }

    @Test
    void topActivationsOfSaeFeaturesAreTheLocalEnginesTableRowForRow() throws Exception {
        Path corpus = SparkFixtures.documents(dir, 30);
        List<String> args = List.of("top-activations", "--model", SparkFixtures.MODEL.toString(), "--sae", SparkFixtures.SAE.toString(),
                "--dataset", corpus.toString(), "--hook", "blocks.2.hook_mlp_out.hook_sae_acts_post", "--k", "3", "--context", "8", "--batch-size", "2");
        Path local = dir.resolve("local.parquet"), onSpark = dir.resolve("spark.parquet");
        SparkFixtures.Run expected = SparkFixtures.jlens(concat(args, "--out", local.toString()));
        assertThat(expected.code()).as(expected.err()).isZero();
        JlensSparkLocalTest.Run actual = JlensSparkLocalTest.driver(concat(args, "--out", onSpark.toString()).toArray(String[]::new));
        assertThat(actual.code()).as(actual.err()).isZero();
        assertThat(actual.out()).isEqualTo(expected.out().replace(local.toString(), onSpark.toString()));
        assertThat(spark.read().parquet(onSpark.toString()).select("row").distinct().count()).as("tops from rows of several shards").isGreaterThan(4);
        SparkFixtures.assertSameTopActivations(spark, local, onSpark);
    }

    @Test
    void hooksTheModelDoesNotHaveAreOneLineOnTheDriver() throws Exception {
        Path corpus = SparkFixtures.documents(dir, 3);
        String model = SparkFixtures.MODEL.toString();
        JlensSparkLocalTest.Run none = JlensSparkLocalTest.driver("activations", "--model", model, "--dataset", corpus.toString(), "--hooks", "blocks\\.9\\..*",
                "--out", dir.resolve("a").toString());
        assertThat(none.err()).isEqualTo("jlens: --hooks 'blocks\\.9\\..*' matches no hook point (e.g. blocks\\.0\\.hook_resid_pre)\n");
        JlensSparkLocalTest.Run sae = JlensSparkLocalTest.driver("top-activations", "--model", model, "--dataset", corpus.toString(),
                "--hook", "blocks.2.hook_mlp_out.hook_sae_acts_post", "--out", dir.resolve("t.parquet").toString());
        assertThat(sae.err()).startsWith("jlens: --hook: ").endsWith(" has no hook point \"blocks.2.hook_mlp_out.hook_sae_acts_post\" (e.g. blocks.0.mlp.hook_post; an SAE's features need --sae)\n");
        JlensSparkLocalTest.Run prompts = JlensSparkLocalTest.driver("activations", "--model", model, "--dataset", SparkFixtures.ioi(dir, 2).toString(),
                "--hooks", "hook_embed", "--out", dir.resolve("a").toString());
        assertThat(prompts.err()).endsWith(": is a prompt dataset (prompt, answers); give a text corpus or a tokens dataset\n");
        for (JlensSparkLocalTest.Run r : List.of(none, sae, prompts)) assertThat(r.code()).isEqualTo(1);
        assertThat(dir.resolve("a")).doesNotExist();
        assertThat(dir.resolve("t.parquet")).doesNotExist();
    }

    private static List<String> concat(List<String> args, String... more) {
        List<String> out = new ArrayList<>(args);
        out.addAll(List.of(more));
        return out;
    }
}
