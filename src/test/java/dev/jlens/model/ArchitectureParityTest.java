package dev.jlens.model;

import dev.jlens.ArchFixtures;
import dev.jlens.Fixtures;
import dev.jlens.analysis.LogitDiff;
import dev.jlens.cache.ActivationCache;
import dev.jlens.tensor.Index;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;

import static dev.jlens.Fixtures.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * GPT-NeoX, Llama (grouped-query attention) and Gemma 2 against TransformerLens 3.5.1's run_with_cache on
 * tiny random checkpoints: every cached activation in its order and shape, the processed and unprocessed
 * logits (and Hugging Face's) and the logit differences.
 */
class ArchitectureParityTest {
    static List<String> fixtures() {
        return ArchFixtures.names();
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void cacheHoldsTransformerLensKeysInFiringOrder(String name) {
        ActivationCache cache = ArchFixtures.model(name).runWithCache(ArchFixtures.tokens(name, "tokens")).cache();
        assertThat(new ArrayList<>(cache.keys())).containsExactlyElementsOf(Fixtures.strings(ArchFixtures.reference(name).get("cache_keys")));
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void everyCachedActivationEqualsTransformerLens(String name) {
        HookedTransformer model = ArchFixtures.model(name);
        CachedRun run = model.runWithCache(ArchFixtures.tokens(name, "tokens"), CacheOptions.ALL.withRemoveBatchDim(true));
        ActivationCache cache = run.cache();
        int checked = 0;
        for (String ref : ArchFixtures.referenceTensorNames(name)) {
            if (!ref.startsWith("cache/")) continue;
            String hook = ref.substring("cache/".length());
            Tensor expected = ArchFixtures.referenceTensor(name, ref);
            if (hook.equals("unembed.hook_out.last2")) {
                // the reference stored the model's output logits here: after Gemma 2's soft cap, which
                // TransformerLens applies after unembed.hook_out (checked against the cache below)
                Tensor logits = run.logits().get(0);
                int pos = logits.shape(0);
                Tensor hooked = cache.get("unembed.hook_out").get(Index.range(pos - 2, pos));
                float cap = model.cfg().variant().outputLogitsSoftCap();
                float[] capped = hooked.toArray();
                for (int i = 0; i < capped.length; i++) if (cap > 0) capped[i] = cap * (float) Math.tanh(capped[i] / cap);
                assertClose(name + " unembed.hook_out, soft-capped", capped, expected.toArray());
                assertClose(name + " " + hook, logits.get(Index.range(pos - 2, pos)), expected);
            } else {
                assertClose(name + " " + hook, cache.get(hook), expected);
            }
            checked++;
        }
        assertThat(checked).isEqualTo(ArchFixtures.reference(name).get("cache_keys").size());
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void unprocessedLogitsEqualTransformerLensAndHuggingFace(String name) {
        Tensor logits = ArchFixtures.unprocessedModel(name).forward(ArchFixtures.tokens(name, "tokens"));
        Tensor last = logits.get(0, -1);
        assertClose(name + " raw last-position logits", last, ArchFixtures.referenceTensor(name, "raw/logits_pet_last").reshape(-1));
        assertClose(name + " plain HF last-position logits", last, ArchFixtures.referenceTensor(name, "hf/logits_pet_last").reshape(-1));
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void processedLogitsAreHuggingFaceLogitsCenteredUnlessSoftCapped(String name) {
        Tensor last = ArchFixtures.model(name).forward(ArchFixtures.tokens(name, "tokens")).get(0, -1);
        float[] hf = ArchFixtures.referenceTensor(name, "hf/logits_pet_last").reshape(-1).toArray();
        if (ArchFixtures.reference(name).get("processed_unembed_centered").asBoolean()) {
            double mean = 0;
            for (float v : hf) mean += v;
            mean /= hf.length;
            for (int i = 0; i < hf.length; i++) hf[i] -= (float) mean;
        }
        assertClose(name + " processed last-position logits", last.toArray(), hf);
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void logitDifferencesEqualTransformerLens(String name) {
        var ref = ArchFixtures.reference(name);
        IntTensor answers = ArchFixtures.tokens(name, "answer_tokens");
        assertClose(name + " logit_diff", LogitDiff.average(ArchFixtures.model(name).forward(ArchFixtures.tokens(name, "tokens")), answers), ref.get("logit_diff").asDouble());
        assertClose(name + " corrupted_logit_diff", LogitDiff.average(ArchFixtures.model(name).forward(ArchFixtures.tokens(name, "corrupted_tokens")), answers),
                ref.get("corrupted_logit_diff").asDouble());
        assertClose(name + " raw_logit_diff", LogitDiff.average(ArchFixtures.unprocessedModel(name).forward(ArchFixtures.tokens(name, "tokens")), answers),
                ref.get("raw_logit_diff").asDouble());
    }
}
