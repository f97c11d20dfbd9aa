package dev.jlens.analysis;

import dev.jlens.Fixtures;
import dev.jlens.hooks.Hook;
import dev.jlens.model.GradientParityTest;
import dev.jlens.model.HookedTransformer;
import dev.jlens.model.LogitMetric;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

/** Token saliency: gradient x input against the reference gradient; integrated gradients' completeness. */
class SaliencyTest {
    @Test
    void gradientTimesInputIsTheEmbeddingTimesTheReferenceGradient() {
        HookedTransformer model = Fixtures.model("a");
        JsonNode pets = Fixtures.reference("a").get("cases").get("pets_sentence_swap");
        IntTensor tokens = IntTensor.of(Fixtures.ints(pets.get("tokens").get(0)), 1, pets.get("tokens").get(0).size());
        IntTensor answers = IntTensor.of(Fixtures.ints(pets.get("answer_tokens").get(0)), 1, 2);
        Tensor saliency = Saliency.gradientTimesInput(model, tokens, GradientMetrics.logitDiff(answers));
        Tensor expected = Fixtures.referenceTensor("a", "cache/hook_embed").mul(GradientParityTest.gradient("a", "grad/hook_embed")).sum(1);
        assertThat(saliency.shape()).containsExactly(1, tokens.shape(1));
        GradientParityTest.assertGradientClose("saliency", saliency.reshape(-1), expected);
    }

    @Test
    void integratedGradientsAddUpToTheChangeFromTheZeroEmbedding() {
        HookedTransformer model = Fixtures.model("b");
        IntTensor tokens = model.toTokens("Rachel is a human. Pebbles is a cat. The pet is");
        LogitMetric metric = GradientMetrics.logitDiff(IntTensor.of(new int[] {42507, 15984}, 1, 2));
        Tensor ig = Saliency.integratedGradients(model, tokens, metric, 64);
        double full = metric.evaluate(model.forward(tokens)).value();
        double baseline = metric.evaluate(model.runWithHooks(tokens, List.of(Hook.of("hook_embed", (act, h) -> Tensor.zeros(act.shape()))))).value();
        assertThat((double) ig.sum()).isCloseTo(full - baseline, offset(1e-3 + 1e-2 * Math.abs(full - baseline)));
        assertThat(full - baseline).isNotCloseTo(0, offset(1e-2));
    }
}
