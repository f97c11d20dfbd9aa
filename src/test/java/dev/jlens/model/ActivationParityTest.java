package dev.jlens.model;

import dev.jlens.Fixtures;
import dev.jlens.cache.ActivationCache;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;

import static dev.jlens.Fixtures.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

/** run_with_cache on the pet prompt: every activation TransformerLens cached, in its order and shapes. */
class ActivationParityTest {
    static List<String> fixtures() {
        return Fixtures.names();
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void cacheHoldsTransformerLensKeysInFiringOrder(String which) {
        ActivationCache cache = Fixtures.model(which).runWithCache(Fixtures.PET_PROMPT).cache();
        assertThat(new ArrayList<>(cache.keys())).containsExactlyElementsOf(Fixtures.strings(Fixtures.reference(which).get("cache_keys")));
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void everyCachedActivationEqualsTransformerLens(String which) {
        HookedTransformer model = Fixtures.model(which);
        ActivationCache cache = model.runWithCache(model.toTokens(Fixtures.PET_PROMPT), CacheOptions.ALL.withRemoveBatchDim(true)).cache();
        int checked = 0;
        for (String ref : Fixtures.referenceTensorNames(which)) {
            if (!ref.startsWith("cache/")) continue;
            String hook = ref.substring("cache/".length());
            Tensor expected = Fixtures.referenceTensor(which, ref);
            if (hook.equals("unembed.hook_out.last2")) {
                Tensor logits = cache.get("unembed.hook_out");
                int pos = logits.shape(0);
                assertClose(hook, logits.get(dev.jlens.tensor.Index.range(pos - 2, pos)), expected);
            } else {
                assertClose(hook, cache.get(hook), expected);
            }
            checked++;
        }
        assertThat(checked).isEqualTo(Fixtures.reference(which).get("cache_keys").size());
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void processedWeightsEqualTransformerLens(String which) {
        var stateDict = Fixtures.model(which).stateDict();
        List<String> expectedKeys = Fixtures.strings(Fixtures.reference(which).get("processed_state_dict_keys")).stream()
                .filter(k -> !k.endsWith(".IGNORE") && !k.endsWith(".mask")).sorted().toList();
        assertThat(stateDict.keySet().stream().sorted().toList()).containsExactlyElementsOf(expectedKeys);
        int checked = 0;
        for (String ref : Fixtures.referenceTensorNames(which)) {
            if (!ref.startsWith("weights/")) continue;
            String name = ref.substring("weights/".length());
            assertClose(name, stateDict.get(name), Fixtures.referenceTensor(which, ref));
            checked++;
        }
        assertThat(checked).isPositive();
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void unprocessedLogitsEqualTransformerLensAndHuggingFace(String which) {
        HookedTransformer raw = Fixtures.unprocessedModel(which);
        Tensor logits = raw.forward(Fixtures.PET_PROMPT);
        Tensor last = logits.get(0, -1);
        assertClose("raw last-position logits", last, Fixtures.referenceTensor(which, "raw/logits_pet_last").reshape(-1));
        assertClose("plain HF last-position logits", last, Fixtures.referenceTensor(which, "hf/logits_pet_last").reshape(-1));
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void processedLogitsAreHuggingFaceLogitsCentered(String which) {
        Tensor logits = Fixtures.model(which).forward(Fixtures.PET_PROMPT).get(0, -1);
        Tensor hf = Fixtures.referenceTensor(which, "hf/logits_pet_last").reshape(-1);
        assertClose("processed = HF - mean", logits, hf.sub(hf.mean()));
        assertThat(Math.abs(logits.mean())).isLessThan(1e-5f);
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void raggedBatchIsRightPaddedAndLastRealPositionsMatch(String which) {
        HookedTransformer model = Fixtures.model(which);
        var ref = Fixtures.reference(which);
        IntTensor tokens = model.toTokens(List.of("Hello", "Hello world, how are you today?"));
        assertThat(tokens.row(0)).containsExactly(Fixtures.ints(ref.get("ragged_tokens").get(0)));
        assertThat(tokens.row(1)).containsExactly(Fixtures.ints(ref.get("ragged_tokens").get(1)));
        Tensor logits = model.forward(tokens);
        int[] lastReal = {1, tokens.shape(1) - 1};
        for (int i = 0; i < 2; i++) {
            Tensor last = logits.get(i, lastReal[i]);
            assertClose("ragged row " + i, last, Fixtures.referenceTensor(which, "ragged/last_logits_" + i).reshape(-1));
            assertThat(last.topk(5).indices().toArray()).containsExactly(Fixtures.ints(ref.get("ragged_last_logits_top5").get(i)));
        }
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void lossAndPerTokenLoss(String which) {
        HookedTransformer model = Fixtures.model(which);
        var ref = Fixtures.reference(which);
        assertClose("loss_1234", model.loss("1 2 3 4"), ref.get("loss_1234").asDouble());
        Tensor perToken = model.lossPerToken(model.toTokens("1 2 3 4"));
        assertThat(perToken.shape()).containsExactly(1, 4);
        assertClose("loss_per_token_1234", perToken.toArray(), Fixtures.floats(ref.get("loss_per_token_1234")));
        for (var tp : ref.get("test_prompt")) {
            assertClose("loss of " + tp.get("prompt").asString(), model.loss(tp.get("prompt").asString()), tp.get("loss").asDouble());
        }
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void lastPositionLogitsOfTestPromptCases(String which) {
        HookedTransformer model = Fixtures.model(which);
        var cases = Fixtures.reference(which).get("test_prompt");
        for (int i = 0; i < cases.size(); i++) {
            var c = cases.get(i);
            Tensor last = model.forward(c.get("prompt").asString()).get(0, -1);
            if (i < 4) assertClose("final_logits/" + i, last, Fixtures.referenceTensor(which, "final_logits/" + i).reshape(-1));
            Tensor.TopK top = last.topk(20);
            assertThat(top.indices().toArray()).as("top20 ids of case " + i).containsExactly(Fixtures.ints(c.get("top20_ids")));
            assertClose("top20 logits of case " + i, top.values().toArray(), Fixtures.floats(c.get("top20_logits")));
        }
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void greedyGenerationEqualsTransformerLens(String which) {
        HookedTransformer model = Fixtures.model(which);
        String expected = Fixtures.reference(which).get("generate_1234").asString();
        assertThat(model.generate("1 2 3 4", GenerateOptions.greedy(8))).isEqualTo(expected);
        assertThat(model.generate("1 2 3 4", GenerateOptions.greedy(8).withUseKvCache(false))).isEqualTo(expected);
    }
}
