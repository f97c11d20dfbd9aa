package dev.jlens.analysis;

import dev.jlens.JlensException;
import dev.jlens.model.LogitMetric;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;

/**
 * Ready-made metrics for gradient runs, each with its gradient with respect to the logits [batch, pos, d_vocab]:
 * the seed's logit difference and its normalized form, TransformerLens' loss, and one token's log-probability.
 */
public final class GradientMetrics {
    private GradientMetrics() {}

    /** The mean over prompts of the last position's {@code logit[correct] - logit[incorrect]} ({@link LogitDiff#average}). */
    public static LogitMetric logitDiff(IntTensor answerTokens) {
        return logits -> {
            int batch = logits.shape(0), pos = logits.shape(1), vocab = logits.shape(2);
            float value = LogitDiff.average(logits, answerTokens);
            float[] g = new float[logits.size()];
            for (int b = 0; b < batch; b++) {
                int row = (b * pos + pos - 1) * vocab;
                g[row + answerTokens.item(b, 0)] += 1f / batch;
                g[row + answerTokens.item(b, 1)] -= 1f / batch;
            }
            return new LogitMetric.Evaluation(value, Tensor.of(g, logits.shape()));
        };
    }

    /** The seed's normalized logit difference {@code (ld - corrupted) / (clean - corrupted)}, the default of attribution patching. */
    public static LogitMetric normalizedLogitDiff(IntTensor answerTokens, float clean, float corrupted) {
        LogitMetric ld = logitDiff(answerTokens);
        return logits -> {
            LogitMetric.Evaluation e = ld.evaluate(logits);
            float span = clean - corrupted;
            return new LogitMetric.Evaluation((e.value() - corrupted) / span, e.gradient().div(span));
        };
    }

    /** TransformerLens' loss: the mean over batch and positions of -log p(next token); {@code tokens} [batch, pos]. */
    public static LogitMetric loss(IntTensor tokens) {
        return logits -> {
            int batch = logits.shape(0), pos = logits.shape(1), vocab = logits.shape(2);
            checkTokens(tokens, batch, pos);
            float[] d = logits.toArray(), g = new float[d.length];
            int count = batch * (pos - 1);
            double total = 0;
            for (int b = 0; b < batch; b++) {
                for (int p = 0; p < pos - 1; p++) {
                    int row = (b * pos + p) * vocab, next = tokens.item(b, p + 1);
                    double logSum = logSumExp(d, row, vocab);
                    total -= d[row + next] - logSum;
                    for (int v = 0; v < vocab; v++) g[row + v] = (float) (Math.exp(d[row + v] - logSum) / count);
                    g[row + next] -= 1f / count;
                }
            }
            return new LogitMetric.Evaluation(total / count, Tensor.of(g, logits.shape()));
        };
    }

    /** {@code log p(token | prompt b up to position pos)}: log_softmax of the logits at [b, pos], entry {@code token}; negative pos from the end. */
    public static LogitMetric logProb(int b, int pos, int token) {
        return logits -> {
            int batch = logits.shape(0), positions = logits.shape(1), vocab = logits.shape(2);
            int p = pos < 0 ? positions + pos : pos;
            if (b < 0 || b >= batch || p < 0 || p >= positions || token < 0 || token >= vocab) {
                throw new JlensException("log-probability metric: batch " + b + ", position " + pos + ", token " + token
                        + " is outside logits of shape [" + batch + ", " + positions + ", " + vocab + "]");
            }
            float[] d = logits.toArray(), g = new float[d.length];
            int row = (b * positions + p) * vocab;
            double logSum = logSumExp(d, row, vocab);
            for (int v = 0; v < vocab; v++) g[row + v] = (float) -Math.exp(d[row + v] - logSum);
            g[row + token] += 1f;
            return new LogitMetric.Evaluation(d[row + token] - logSum, Tensor.of(g, logits.shape()));
        };
    }

    private static double logSumExp(float[] d, int row, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < n; v++) max = Math.max(max, d[row + v]);
        double sum = 0;
        for (int v = 0; v < n; v++) sum += Math.exp(d[row + v] - max);
        return max + Math.log(sum);
    }

    private static void checkTokens(IntTensor tokens, int batch, int pos) {
        if (tokens.rank() != 2 || tokens.shape(0) != batch || tokens.shape(1) != pos) {
            throw new JlensException("loss metric: tokens of shape " + java.util.Arrays.toString(tokens.shape())
                    + " for logits of [" + batch + ", " + pos + ", ...]");
        }
    }
}
