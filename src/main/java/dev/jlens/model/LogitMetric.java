package dev.jlens.model;

import dev.jlens.JlensException;
import dev.jlens.tensor.Shape;
import dev.jlens.tensor.Tensor;

import java.util.Arrays;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * A scalar function of a run's logits [batch, pos, d_vocab] that a gradient run differentiates: its value and
 * its gradient with respect to the logits, from which the backward pass goes on. Ready-made ones (logit
 * difference, loss, log-probabilities) are in {@code analysis.GradientMetrics}; any other is given by
 * {@link #of}.
 */
public interface LogitMetric {
    /** The value at these logits and d value / d logits, of the logits' shape. */
    Evaluation evaluate(Tensor logits);

    record Evaluation(double value, Tensor gradient) {}

    /** A metric from its value and its gradient with respect to the logits. */
    static LogitMetric of(ToDoubleFunction<Tensor> value, Function<Tensor, Tensor> gradient) {
        return logits -> new Evaluation(value.applyAsDouble(logits), gradient.apply(logits));
    }

    /** Evaluates the metric, refusing a gradient whose shape is not the logits'. */
    static Evaluation checked(LogitMetric metric, Tensor logits) {
        Evaluation e = metric.evaluate(logits);
        if (e.gradient() == null || !Arrays.equals(e.gradient().shape(), logits.shape())) {
            throw new JlensException("metric gradient: shape " + (e.gradient() == null ? "none" : Shape.str(e.gradient().shape()))
                    + " where the logits have shape " + Shape.str(logits.shape()));
        }
        return e;
    }
}
