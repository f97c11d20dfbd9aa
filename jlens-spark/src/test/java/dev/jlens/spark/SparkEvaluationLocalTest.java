package dev.jlens.spark;

import dev.jlens.dataset.BatchFunction;
import dev.jlens.dataset.CollectingSink;
import dev.jlens.dataset.Evaluation;
import dev.jlens.dataset.InductionDataset;
import dev.jlens.dataset.LocalRunner;
import dev.jlens.tensor.Parallel;
import dev.jlens.dataset.PromptDataset;
import dev.jlens.dataset.Rows;
import dev.jlens.dataset.DatasetKind;
import dev.jlens.dataset.TextCorpus;
import dev.jlens.dataset.TokenizeAndConcatenate;
import dev.jlens.model.HookedTransformer;
import dev.jlens.util.Progress;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code eval} on Spark (local mode) gives the local engine's sums to the last bit. */
class SparkEvaluationLocalTest {
    static SparkSession spark;
    static HookedTransformer model;
    static ModelRef ref = ModelRef.of(SparkFixtures.MODEL.toString());

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2]").appName("jlens-spark eval tests").config("spark.ui.enabled", "false").getOrCreate();
        spark.sparkContext().setLogLevel("ERROR");
        model = HookedTransformer.fromPretrained(SparkFixtures.MODEL.toString());
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static <I> Evaluation.Sums local(Iterator<I> rows, BatchFunction<I, Evaluation.Sums> f, int batchSize) {
        CollectingSink<Evaluation.Sums> sink = new CollectingSink<>();
        try (Parallel workers = new Parallel(2, "local-eval")) {
            new LocalRunner(workers, 64, batchSize, Progress.NONE).run(rows, -1, f, sink);
        }
        return Evaluation.total(sink.rows());
    }

    @Test
    void aCorpusOfSeveralDocumentGroupsGivesTheLocalLossAndAccuracy() throws Exception {
        StringBuilder b = new StringBuilder();
        for (int d = 0; d < 1300; d++) b.append(d % 7 == 0 ? "" : "Doc " + d + " went to the shops.").append('\n');
        Path corpus = Files.writeString(dir.resolve("c.txt"), b.toString());
        Evaluation.Sums expected;
        try (TokenizeAndConcatenate rows = new TokenizeAndConcatenate(TextCorpus.open(corpus, null), model.tokenizer(), 32, true)) {
            expected = local(Rows.map(rows, dev.jlens.dataset.TokenRow::tokens), Evaluation.nextToken(model, 0), 1);
        }
        Evaluation.Sums actual = JlensSpark.eval(ref, Tables.read(spark, corpus.toString(), false), null, 32, Long.MAX_VALUE, true);
        assertThat(actual.items()).isPositive();
        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void repeatedTokensGiveTheLocalInductionLoss() throws Exception {
        StringBuilder b = new StringBuilder();
        for (int[] t : InductionDataset.generate(10, 6, 3)) b.append(InductionDataset.toJson(t)).append('\n');
        Path data = Files.writeString(dir.resolve("induction.jsonl"), b.toString());
        Evaluation.Sums expected;
        try (Rows<int[]> rows = DatasetKind.tokenRows(data)) {
            expected = local(rows, Evaluation.induction(model, true), 1);
        }
        assertThat(JlensSpark.eval(ref, Tables.read(spark, data.toString(), false), null, null, Long.MAX_VALUE, true)).isEqualTo(expected);
    }

    @Test
    void promptsGiveTheLocalLogitDifferenceAndAccuracyUpToTheLimit() throws Exception {
        Path data = SparkFixtures.ioi(dir, 20);
        Evaluation.Sums expected;
        try (PromptDataset rows = PromptDataset.open(data, false)) {
            Iterator<dev.jlens.dataset.PromptRow> first = java.util.stream.StreamSupport.stream(
                    java.util.Spliterators.spliteratorUnknownSize(rows, 0), false).limit(17).iterator();
            expected = local(first, Evaluation.logitDiff(model, true), 8);
        }
        Evaluation.Sums actual = JlensSpark.eval(ref, Tables.read(spark, data.toString(), false), null, null, 17, true);
        assertThat(actual.items()).isEqualTo(17);
        assertThat(actual).isEqualTo(expected);
    }
}
