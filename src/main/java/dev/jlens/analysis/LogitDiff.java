package dev.jlens.analysis;

import dev.jlens.JlensException;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;

/**
 * The seed's logit difference: at the last position, the correct answer's logit minus the incorrect one's
 * ({@code logits_to_ave_logit_diff}), and the normalized patching metric built from it.
 */
public final class LogitDiff {
    private LogitDiff() {}

    /** [batch]: {@code logits[b, -1, answers[b, 0]] - logits[b, -1, answers[b, 1]]}. */
    public static Tensor perPrompt(Tensor logits, IntTensor answerTokens) {
        int batch = logits.shape(0), pos = logits.shape(1), vocab = logits.shape(2);
        if (answerTokens.rank() != 2 || answerTokens.shape(0) != batch || answerTokens.shape(1) != 2) {
            throw new JlensException("answer tokens must be [" + batch + ", 2] (correct, incorrect) for " + batch
                    + " prompts, got " + java.util.Arrays.toString(answerTokens.shape()));
        }
        float[] out = new float[batch], d = logits.data();
        for (int b = 0; b < batch; b++) {
            int row = logits.offset() + (b * pos + pos - 1) * vocab;
            out[b] = d[row + answerTokens.item(b, 0)] - d[row + answerTokens.item(b, 1)];
        }
        return Tensor.of(out, batch);
    }

    /** The mean over prompts of {@link #perPrompt}. */
    public static float average(Tensor logits, IntTensor answerTokens) {
        return perPrompt(logits, answerTokens).mean();
    }

    /**
     * The seed's {@code normalize_patched_logit_diff}: (patched - corrupted) / (clean - corrupted), so 0 means
     * no change from the corrupted run and 1 means the clean performance is fully recovered.
     */
    public static PatchingMetric normalized(IntTensor answerTokens, float clean, float corrupted) {
        return new PatchingMetric() {
            @Override
            public float apply(Tensor logits) {
                return (average(logits, answerTokens) - corrupted) / (clean - corrupted);
            }

            @Override
            public boolean readsFinalPositionOnly() {
                return true;
            }
        };
    }
}
