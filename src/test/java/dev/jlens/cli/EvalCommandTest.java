package dev.jlens.cli;

import dev.jlens.dataset.InductionDataset;
import dev.jlens.model.HookedTransformer;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code jlens eval} against the same measures computed here from the model's logits and per-token losses. */
class EvalCommandTest {
    private static HookedTransformer model;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() {
        model = HookedTransformer.fromPretrained(BatchCommandTest.MODEL);
    }

    @Test
    void aCorpusGivesTheMeanNextTokenLossAndAccuracyOfItsConcatenatedRows() throws Exception {
        List<String> docs = List.of("When John and Mary went to the shops,", "John gave the bag to Mary.", "The end of a short story", "");
        Path corpus = Files.writeString(dir.resolve("c.txt"), String.join("\n", docs) + "\n");
        // tokenize_and_concatenate: documents joined by EOS, rows of context-1 tokens, the remainder dropped, BOS first
        List<Integer> all = new ArrayList<>();
        for (int d = 0; d < docs.size(); d++) {
            if (d > 0) all.add(model.tokenizer().eosId());
            for (int t : model.tokenizer().encode(docs.get(d))) all.add(t);
        }
        int context = 8, seq = context - 1;
        double loss = 0;
        long n = 0, right = 0;
        for (int r = 0; r < all.size() / seq; r++) {
            int[] row = new int[context];
            row[0] = model.tokenizer().bosId();
            for (int i = 0; i < seq; i++) row[i + 1] = all.get(r * seq + i);
            Tensor perToken = model.lossPerToken(IntTensor.of(new int[][] {row}));
            Tensor logits = model.forward(IntTensor.of(new int[][] {row}));
            for (int p = 0; p < context - 1; p++) {
                loss += perToken.item(0, p);
                n++;
                if (logits.get(0, p).argmax() == row[p + 1]) right++;
            }
        }
        CliRunner.Result r = CliRunner.run("eval", "--model", BatchCommandTest.MODEL, "--dataset", corpus.toString(), "--context", "8", "--threads", "2");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(String.format(Locale.ROOT, "loss %.6f  accuracy %.6f  (%d next tokens in sequences of 8)%n", loss / n, (double) right / n, n));
    }

    @Test
    void repeatedTokensGiveTheLossOnTheirSecondHalves() throws Exception {
        List<int[]> rows = InductionDataset.generate(3, 6, 9);
        StringBuilder b = new StringBuilder();
        for (int[] row : rows) b.append(InductionDataset.toJson(row)).append('\n');
        Path data = Files.writeString(dir.resolve("i.jsonl"), b.toString());
        double loss = 0;
        long n = 0;
        for (int[] row : rows) {
            int[] t = row.clone();
            t[0] = model.tokenizer().bosId();
            Tensor perToken = model.lossPerToken(IntTensor.of(new int[][] {t}));
            for (int p = 6 + 1; p < 11; p++) {   // correct_log_probs[:, subseq_len + 1:]
                loss += perToken.item(0, p);
                n++;
            }
        }
        CliRunner.Result r = CliRunner.run("eval", "--model", BatchCommandTest.MODEL, "--dataset", data.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(String.format(Locale.ROOT, "induction_loss %.6f  (%d tokens of second halves)%n", loss / n, n));
    }

    @Test
    void promptsGiveTheMeanLogitDifferenceAndAccuracyOfBatch() throws Exception {
        Path data = BatchCommandTest.ioi(dir, 6);
        Path out = dir.resolve("r.parquet");
        assertThat(CliRunner.run("batch", "--model", BatchCommandTest.MODEL, "--dataset", data.toString(), "--out", out.toString()).exitCode()).isZero();
        double sum = 0;
        int right = 0;
        for (var row : ParquetRows.read(out)) {
            float d = (Float) row.get("logit_diff");
            sum += d;
            if (d > 0) right++;
        }
        CliRunner.Result r = CliRunner.run("eval", "--model", BatchCommandTest.MODEL, "--dataset", data.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(String.format(Locale.ROOT, "logit_diff %.6f  accuracy %.6f  (6 prompts)%n", sum / 6, right / 6.0));
    }
}
