package dev.jlens.model;

import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;

/** TransformerLens' {@code lm_cross_entropy_loss}: predict token p+1 from position p. */
final class Loss {
    private Loss() {}

    /**
     * Mean over batch and positions of -log p(next token), or per token [batch, pos-1]. With an attention
     * mask, a position counts only if it and the next one are attended, and the mean is over those.
     */
    static Tensor crossEntropy(Tensor logits, IntTensor tokens, IntTensor mask, boolean perToken) {
        int batch = logits.shape(0), pos = logits.shape(1), vocab = logits.shape(2);
        float[] per = new float[batch * Math.max(0, pos - 1)];
        float[] d = logits.data();
        double total = 0;
        long counted = 0;
        for (int b = 0; b < batch; b++) {
            for (int p = 0; p < pos - 1; p++) {
                int row = logits.offset() + (b * pos + p) * vocab;
                float max = Float.NEGATIVE_INFINITY;
                for (int v = 0; v < vocab; v++) max = Math.max(max, d[row + v]);
                double sum = 0;
                for (int v = 0; v < vocab; v++) sum += Math.exp(d[row + v] - max);
                float logProb = (d[row + tokens.item(b, p + 1)] - max) - (float) Math.log(sum);
                boolean keep = mask == null || (mask.item(b, p) == 1 && mask.item(b, p + 1) == 1);
                float loss = keep ? -logProb : 0f;
                per[b * (pos - 1) + p] = loss;
                if (keep) {
                    total += loss;
                    counted++;
                }
            }
        }
        if (perToken) return Tensor.of(per, batch, Math.max(0, pos - 1));
        return Tensor.scalar((float) (total / counted));
    }
}
