package dev.jlens.viz;

import dev.jlens.analysis.GradientMetrics;
import dev.jlens.analysis.Saliency;
import dev.jlens.model.HookedTransformer;
import dev.jlens.model.LogitMetric;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;

/**
 * The saliency strips of a report: per prompt and token, how much the token moves that prompt's own logit difference
 * (correct - incorrect at the last position), by gradient x input and by integrated gradients ({@link Saliency}).
 *
 * @param gradientTimesInput  [batch, pos]
 * @param integratedGradients [batch, pos]
 */
record TokenSaliency(Tensor gradientTimesInput, Tensor integratedGradients) {
    /** Both for a batch of prompts, each prompt's saliency of its own logit difference. */
    static TokenSaliency of(HookedTransformer model, IntTensor tokens, IntTensor answerTokens, int steps) {
        LogitMetric metric = eachPromptsOwn(GradientMetrics.logitDiff(answerTokens), tokens.shape(0));
        return new TokenSaliency(Saliency.gradientTimesInput(model, tokens, metric), Saliency.integratedGradients(model, tokens, metric, steps));
    }

    /**
     * The sum over prompts of each one's logit difference: the batch's mean times its size. Prompts do not see each
     * other, so the gradient at a prompt's tokens is that of its own logit difference.
     */
    private static LogitMetric eachPromptsOwn(LogitMetric mean, int batch) {
        return logits -> {
            LogitMetric.Evaluation e = mean.evaluate(logits);
            return new LogitMetric.Evaluation(e.value() * batch, e.gradient().mul(batch));
        };
    }
}
