package dev.jlens.cache;

import dev.jlens.Fixtures;
import dev.jlens.JlensException;
import dev.jlens.model.HookedTransformer;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.jlens.Fixtures.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The cache's analyses against identities that hold in TransformerLens (spec section 15): decompositions
 * sum to the residual stream, the logit lens' final row is ln_final's output, labels and shapes.
 */
class ResidualAnalysisTest {
    private final HookedTransformer model = Fixtures.model("a");
    private final IntTensor tokens = model.toTokens(List.of("When John and Mary went to the shops, John gave the bag to",
            "When Tom and James went to the park, James gave the ball to"));
    private final ActivationCache cache = model.runWithCache(tokens).cache();
    private final int n = model.cfg().nLayers(), h = model.cfg().nHeads(), d = model.cfg().dModel(), p = tokens.shape(1);

    @Test
    void accumulatedResidLabelsAndShapes() {
        ResidualStack all = cache.accumulatedResid(StackOptions.defaults());
        assertThat(all.labels()).containsExactly("0_pre", "1_pre", "2_pre", "3_pre", "final_post");
        assertThat(all.stack().shape()).containsExactly(n + 1, 2, p, d);
        ResidualStack mid = cache.accumulatedResid(StackOptions.defaults().layer(2).inclMid(true).posSlice(Slice.at(-1)));
        assertThat(mid.labels()).containsExactly("0_pre", "0_mid", "1_pre", "1_mid", "2_pre");
        assertThat(mid.stack().shape()).containsExactly(5, 2, d);
        ResidualStack mlpIn = cache.accumulatedResid(StackOptions.defaults().layer(1).mlpInput(true));
        assertThat(mlpIn.labels()).containsExactly("0_pre", "1_pre", "1_mid");
    }

    @Test
    void logitLensFinalRowIsLnFinalOutput() {
        ResidualStack lens = cache.accumulatedResid(StackOptions.defaults().applyLn(true));
        assertClose("final_post through ln_final", lens.stack().get(-1), cache.get("ln_final.hook_normalized"));
    }

    @Test
    void decomposeResidSumsToTheResidualStream() {
        ResidualStack parts = cache.decomposeResid(StackOptions.defaults());
        assertThat(parts.labels()).containsExactly("embed", "pos_embed", "0_attn_out", "0_mlp_out", "1_attn_out", "1_mlp_out",
                "2_attn_out", "2_mlp_out", "3_attn_out", "3_mlp_out");
        assertClose("sum = final resid_post", parts.stack().sum(0), cache.get("resid_post", -1));
        ResidualStack toMid = cache.decomposeResid(StackOptions.defaults().layer(2).mlpInput(true));
        assertClose("sum = resid_mid 2", toMid.stack().sum(0), cache.get("resid_mid", 2));
        assertThat(cache.decomposeResid(StackOptions.defaults().mode("attn").inclEmbeds(false)).labels())
                .containsExactly("0_attn_out", "1_attn_out", "2_attn_out", "3_attn_out");
    }

    @Test
    void headResultsAndTheRemainderSumToTheResidualStream() {
        ResidualStack heads = cache.stackHeadResults(StackOptions.defaults().inclRemainder(true));
        assertThat(heads.labels()).hasSize(n * h + 1).startsWith("L0H0", "L0H1").endsWith("L3H3", "remainder");
        assertThat(heads.stack().shape()).containsExactly(n * h + 1, 2, p, d);
        assertClose("sum = final resid_post", heads.stack().sum(0), cache.get("resid_post", -1));
        // heads of one layer plus the bias are that layer's attention output
        Tensor layer1 = cache.computeHeadResults(1).sum(2).add(model.b_O().get(1));
        assertClose("heads of layer 1 + b_O = attn_out", layer1, cache.get("attn_out", 1));
        assertThat(cache.stackHeadResults(StackOptions.defaults().layer(0)).stack().shape()).containsExactly(0, 2, p, d);
    }

    @Test
    void neuronResultsOfALayerSumToItsMlpOutputMinusBias() {
        Tensor neurons = cache.getNeuronResults(2, Slice.ALL, Slice.ALL);
        assertThat(neurons.shape()).containsExactly(2, p, model.cfg().dMlp(), d);
        assertClose("sum + b_out = mlp_out", neurons.sum(2).add(model.b_out().get(2)), cache.get("mlp_out", 2));
        ResidualStack some = cache.stackNeuronResults(StackOptions.defaults().layer(2).neuronSlice(Slice.of(3, 7)).posSlice(Slice.at(-1)));
        assertThat(some.labels()).containsExactly("L0N3", "L0N7", "L1N3", "L1N7");
        assertThat(some.stack().shape()).containsExactly(4, 2, d);
    }

    @Test
    void fullDecompositionSumsToTheResidualStream() {
        ResidualStack full = cache.getFullResidDecomposition(StackOptions.defaults().expandNeurons(false));
        assertThat(full.labels()).startsWith("L0H0").contains("0_mlp_out", "embed", "pos_embed").endsWith("bias");
        assertClose("sum = final resid_post", full.stack().sum(0), cache.get("resid_post", -1));
        ResidualStack neurons = cache.getFullResidDecomposition(StackOptions.defaults().layer(1).posSlice(Slice.at(-1)));
        assertThat(neurons.labels()).contains("L0N0", "L0N255");
        assertClose("sum = resid_pre 1", neurons.stack().sum(0), cache.get("resid_pre", 1).get(":", -1));
    }

    @Test
    void applyLnToStackDividesTheCenteredStackByTheCachedScale() {
        Tensor stack = cache.accumulatedResid(StackOptions.defaults().posSlice(Slice.at(-1))).stack();
        Tensor scaled = cache.applyLnToStack(stack, StackOptions.defaults().posSlice(Slice.at(-1)));
        Tensor last = stack.get(-1);
        Tensor expected = last.sub(last.mean(-1, true)).div(cache.get("ln_final.hook_scale").get(":", -1));
        assertClose("final row", scaled.get(-1), expected);
        Tensor ln2 = cache.applyLnToStack(cache.get("resid_mid", 1).unsqueeze(0), StackOptions.defaults().layer(1).mlpInput(true));
        assertClose("ln2 input", ln2.get(0), cache.get("blocks.1.ln2.hook_normalized"));
    }

    @Test
    void posSliceFormsFollowTransformerLens() {
        Tensor resid = cache.get("resid_pre", 1);
        assertThat(Slice.at(-1).apply(resid, -2).shape()).containsExactly(2, d);
        assertThat(Slice.range(1, 4).apply(resid, -2).shape()).containsExactly(2, 3, d);
        assertThat(Slice.of(0, 0, 2).apply(resid, -2).shape()).containsExactly(2, 3, d);
        assertThat(Slice.range(null, null, 2).indices(5)).containsExactly(0, 2, 4);
        assertThat(Slice.at(-1).indices(5)).containsExactly(4);
    }

    @Test
    void logitAttrsProjectOnTheLogitDifferenceDirection() {
        ResidualStack layers = cache.decomposeResid(StackOptions.defaults().posSlice(Slice.at(-1)));
        IntTensor correct = IntTensor.of(new int[] {model.toSingleToken(" Mary"), model.toSingleToken(" Tom")}, 2);
        IntTensor wrong = IntTensor.of(new int[] {model.toSingleToken(" John"), model.toSingleToken(" James")}, 2);
        Tensor attrs = cache.logitAttrs(layers.stack(), correct, wrong, Slice.at(-1), Slice.ALL);
        assertThat(attrs.shape()).containsExactly(layers.size(), 2);
        // The attributions of all components, plus the unembedding bias, add up to the logit difference.
        Tensor logits = model.forward(tokens), bU = model.b_U();
        for (int b = 0; b < 2; b++) {
            float diff = logits.item(b, -1, correct.item(b)) - logits.item(b, -1, wrong.item(b));
            float bias = bU.item(correct.item(b)) - bU.item(wrong.item(b));
            assertClose("prompt " + b, attrs.get(":", b).sum() + bias, diff);
        }
        assertThatThrownBy(() -> cache.logitAttrs(layers.stack(), correct, IntTensor.of(new int[] {1}, 1), Slice.at(-1), Slice.ALL))
                .isInstanceOf(JlensException.class);
    }

    @Test
    void stackActivationStacksOneActivationPerLayer() {
        assertThat(cache.stackActivation("pattern", -1, null).shape()).containsExactly(n, 2, h, p, p);
        assertThat(cache.stackActivation("scale", 2, "ln1").shape()).containsExactly(2, 2, p, 1);
    }
}
