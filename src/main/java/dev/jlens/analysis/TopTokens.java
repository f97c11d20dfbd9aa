package dev.jlens.analysis;

import dev.jlens.model.ForwardOptions;
import dev.jlens.model.HookedTransformer;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The numbers of {@code test_prompt}'s table for each prompt of a batch, as data: the top-k next tokens after
 * the last position (logit, probability, in test_prompt's order, ties included) and the rank, logit and
 * probability of given answer tokens.
 */
public final class TopTokens {
    /** One row: rank (0-based), token id and string, logit and probability. */
    public record Row(int rank, int token, String str, float logit, float prob) {}

    /** One prompt's table: its top rows, and a row per answer token. */
    public record Table(List<Row> top, List<Row> answers) {}

    private TopTokens() {}

    /**
     * For every row of {@code tokens} [batch, pos]: the top {@code k} next tokens after the last position and
     * the rows of {@code answers[b]} (token ids; may be empty).
     */
    public static List<Table> lastPosition(HookedTransformer model, IntTensor tokens, int k, int[][] answers) {
        Tensor logits = model.run(tokens, ForwardOptions.LOGITS.withLastLogitsOnly(true)).logits();
        int batch = logits.shape(0), seq = logits.shape(1), vocab = logits.shape(2);
        List<Table> out = new ArrayList<>(batch);
        for (int b = 0; b < batch; b++) {
            int at = logits.offset() + (b * seq + seq - 1) * vocab;
            float[] row = java.util.Arrays.copyOfRange(logits.data(), at, at + vocab);
            Tensor probs = Tensor.of(row.clone(), vocab).softmax(0);
            Tensor.TopK sorted = TestPrompt.sortDescending(probs, row);
            int[] order = sorted.indices().toArray();
            List<Row> top = new ArrayList<>();
            for (int i = 0; i < Math.min(k, vocab); i++) {
                int id = order[i];
                top.add(new Row(i, id, model.toString(id), row[id], probs.item(id)));
            }
            List<Row> answerRows = new ArrayList<>();
            int[] wanted = answers == null || b >= answers.length ? new int[0] : answers[b];
            for (int id : wanted) {
                int rank = -1;
                for (int r = 0; r < order.length; r++) if (order[r] == id) { rank = r; break; }
                answerRows.add(new Row(rank, id, model.toString(id), row[id], probs.item(id)));
            }
            out.add(new Table(List.copyOf(top), List.copyOf(answerRows)));
        }
        return out;
    }
}
