package dev.jlens.analysis;

import dev.jlens.ArchFixtures;
import dev.jlens.cache.ActivationCache;
import dev.jlens.cache.ResidualStack;
import dev.jlens.cache.StackOptions;
import dev.jlens.model.HookedTransformer;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static dev.jlens.Fixtures.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * test_prompt, the logit lens and logit attribution on GPT-NeoX, Llama and Gemma 2 (RMSNorm: the stack is
 * scaled by the cached norm scale without centering, as TransformerLens' apply_ln_to_stack does).
 */
class ArchitectureAnalysesTest {
    static List<String> fixtures() {
        return ArchFixtures.names();
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void theFinalResidualThroughApplyLnIsLnFinalsOutput(String name) {
        HookedTransformer model = ArchFixtures.model(name);
        ActivationCache cache = model.runWithCache(ArchFixtures.tokens(name, "tokens")).cache();
        int n = model.cfg().nLayers();
        Tensor stack = Tensor.stack(List.of(cache.get("blocks." + (n - 1) + ".hook_resid_post")), 0);
        Tensor scaled = cache.applyLnToStack(stack, StackOptions.defaults().layer(n));
        assertClose(name + " apply_ln_to_stack(resid_post)", scaled.get(0), cache.get("ln_final.hook_normalized"));
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void logitAttributionsOfTheDecompositionSumToTheLogitDifference(String name) {
        HookedTransformer model = ArchFixtures.model(name);
        IntTensor tokens = ArchFixtures.tokens(name, "tokens"), answers = ArchFixtures.tokens(name, "answer_tokens");
        ActivationCache cache = model.runWithCache(tokens).cache();
        int pos = tokens.shape(1);
        ResidualStack parts = cache.decomposeResid(StackOptions.defaults().layer(-1).posSlice(dev.jlens.cache.Slice.of(-1)));
        // logit_attrs scales the stack by ln_final's cached scale itself
        Tensor attrs = cache.logitAttrs(parts.stack(), IntTensor.of(new int[] {answers.item(0, 0)}, 1), IntTensor.of(new int[] {answers.item(0, 1)}, 1),
                dev.jlens.cache.Slice.of(-1), dev.jlens.cache.Slice.ALL);
        Tensor unembedded = cache.get("unembed.hook_out");  // before Gemma 2's soft cap
        Tensor bU = model.stateDict().get("unembed.b_U");    // not a component of the residual stream
        int a = answers.item(0, 0), b = answers.item(0, 1);
        double expected = unembedded.get(0, pos - 1, a).item() - unembedded.get(0, pos - 1, b).item() - (bU.get(a).item() - bU.get(b).item());
        double sum = 0;
        for (float x : attrs.toArray()) sum += x;
        assertClose(name + " sum of logit attributions", (float) sum, expected);
        assertThat(parts.labels()).doesNotContain("pos_embed");
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void testPromptRanksTheAnswerAsTheLogitsDo(String name) {
        HookedTransformer model = ArchFixtures.model(name);
        String prompt = "The pet of this family is";
        List<List<TestPrompt.Rank>> ranks = new TestPrompt(model).ranks(prompt, List.of(" Fido"));
        int[] promptIds = model.tokenization().encode(prompt, model.cfg().defaultPrependBos());
        int answer = model.toTokens(List.of(" Fido"), false).item(0, 0);
        int[] row = java.util.Arrays.copyOf(promptIds, promptIds.length + 1);
        row[promptIds.length] = answer;
        float[] last = model.forward(IntTensor.of(new int[][] {row})).get(0, promptIds.length - 1).toArray();
        int rank = 0;
        for (float v : last) if (v > last[answer]) rank++;
        assertThat(ranks.getFirst().getFirst().rank()).isEqualTo(rank);
        assertThat(new TestPrompt(model).run(prompt, " Fido")).contains("Performance on answer token");
    }
}
