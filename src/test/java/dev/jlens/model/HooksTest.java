package dev.jlens.model;

import dev.jlens.Fixtures;
import dev.jlens.JlensException;
import dev.jlens.cache.ActivationCache;
import dev.jlens.hooks.Hook;
import dev.jlens.hooks.HookFunction;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.jlens.Fixtures.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Hooks that read, hooks that replace, and hooks that never outlive their run. */
class HooksTest {
    private final HookedTransformer model = Fixtures.model("a");
    private final IntTensor tokens = model.toTokens("When John and Mary went to the shops, John gave the bag to");

    @Test
    void readingHooksSeeEveryFiringPointWithTransformerLensShapes() {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        model.runWithHooks(tokens, List.of(Hook.matching(n -> true, HookFunction.reading((act, hook) -> shapes.put(hook.name(), act.shape())))));
        int p = tokens.shape(1), h = model.cfg().nHeads(), e = model.cfg().dHead(), d = model.cfg().dModel();
        assertThat(shapes).hasSize(4 + 2 + 17 * model.cfg().nLayers());
        assertThat(shapes.get("hook_embed")).containsExactly(1, p, d);
        assertThat(shapes.get("blocks.2.attn.hook_q")).containsExactly(1, p, h, e);
        assertThat(shapes.get("blocks.2.attn.hook_pattern")).containsExactly(1, h, p, p);
        assertThat(shapes.get("blocks.2.ln1.hook_scale")).containsExactly(1, p, 1);
        assertThat(shapes.get("blocks.2.mlp.hook_post")).containsExactly(1, p, model.cfg().dMlp());
        assertThat(shapes.get("unembed.hook_out")).containsExactly(1, p, model.cfg().dVocabOut());
        assertThat(shapes).doesNotContainKey("blocks.0.attn.hook_result");
    }

    @Test
    void ln1FiresThreeTimesPerBlockAndEachCallFeedsQueryKeyValue() {
        List<String> fired = new ArrayList<>();
        model.runWithHooks(tokens, List.of(Hook.of("blocks.1.ln1.hook_normalized", HookFunction.reading((a, hk) -> fired.add(hk.name())))));
        assertThat(fired).hasSize(3);

        // Zeroing only the first call (the query input) leaves k unchanged and makes q equal the bias.
        int[] call = {0};
        ActivationCache clean = model.runWithCache(tokens).cache();
        ActivationCache edited = model.runWithCache(tokens, CacheOptions.ALL.withHooks(List.of(
                Hook.of("blocks.1.ln1.hook_normalized", (act, hk) -> call[0]++ == 0 ? Tensor.zeros(act.shape()) : null)))).cache();
        assertClose("k untouched", edited.get("k", 1), clean.get("k", 1));
        assertThat(edited.get("q", 1).allClose(clean.get("q", 1), 1e-6, 0)).isFalse();
    }

    @Test
    void aReplacingHookChangesTheOutputAndAnInPlaceEditCountsToo() {
        Tensor clean = model.forward(tokens);
        Tensor replaced = model.runWithHooks(tokens, List.of(Hook.of("blocks.3.hook_mlp_out", (act, hk) -> Tensor.zeros(act.shape()))));
        Tensor inPlace = model.runWithHooks(tokens, List.of(Hook.of("blocks.3.hook_mlp_out", (act, hk) -> {
            act.fill(0f);
            return null;
        })));
        assertThat(replaced.allClose(clean, 1e-4, 1e-4)).isFalse();
        assertClose("in-place edit = replacement", inPlace, replaced);
    }

    @Test
    void aHookThatThrowsLeavesNothingBehind() {
        Tensor clean = model.forward(tokens);
        assertThatThrownBy(() -> model.runWithHooks(tokens, List.of(Hook.of("blocks.0.hook_resid_pre", (act, hk) -> {
            throw new IllegalStateException("boom");
        })))).hasMessage("boom");
        assertClose("after the failed run", model.forward(tokens), clean);
    }

    @Test
    void hooksOfOneRunAreInvisibleToOtherRuns() {
        Tensor clean = model.forward(tokens);
        model.runWithHooks(tokens, List.of(Hook.of("blocks.0.hook_attn_out", (act, hk) -> Tensor.zeros(act.shape()))));
        assertClose("next run", model.forward(tokens), clean);
    }

    @Test
    void aHookReturningAnotherShapeIsRefused() {
        assertThatThrownBy(() -> model.runWithHooks(tokens, List.of(Hook.of("blocks.0.hook_resid_pre", (act, hk) -> Tensor.zeros(1, 1)))))
                .isInstanceOf(JlensException.class).hasMessageContaining("blocks.0.hook_resid_pre").hasMessageContaining("shape");
    }

    @Test
    void anUnknownHookNameIsRefused() {
        assertThatThrownBy(() -> model.runWithHooks(tokens, List.of(Hook.of("blocks.0.hook_resid_pree", HookFunction.reading((a, h) -> {})))))
                .isInstanceOf(JlensException.class).hasMessageContaining("blocks.0.hook_resid_pree");
    }

    @Test
    void cacheLooksUpShortFormsAndNegativeLayers() {
        ActivationCache cache = model.runWithCache(tokens).cache();
        int last = model.cfg().nLayers() - 1;
        assertThat(cache.get("resid_post", -1)).isSameAs(cache.get("blocks." + last + ".hook_resid_post"));
        assertThat(cache.get("pattern", 1, "attn")).isSameAs(cache.get("blocks.1.attn.hook_pattern"));
        assertThat(cache.get("k1")).isSameAs(cache.get("blocks.1.attn.hook_k"));
        assertThat(cache.get("embed")).isSameAs(cache.get("hook_embed"));
        assertThat(cache.get("scale")).isSameAs(cache.get("ln_final.hook_scale"));
        assertThatThrownBy(() -> cache.get("nonsense")).isInstanceOf(JlensException.class);
    }

    @Test
    void namesFilterAndRemoveBatchDim() {
        ActivationCache cache = model.runWithCache(tokens, CacheOptions.ALL
                .withNamesFilter(CacheOptions.regex("blocks\\.\\d+\\.attn\\.hook_pattern")).withRemoveBatchDim(true)).cache();
        assertThat(cache.keys()).hasSize(model.cfg().nLayers()).allMatch(k -> k.endsWith("hook_pattern"));
        assertThat(cache.get("pattern", 0).shape()).containsExactly(model.cfg().nHeads(), tokens.shape(1), tokens.shape(1));
        assertThat(cache.hasBatchDim()).isFalse();
    }

    @Test
    void stopAtLayerReturnsTheResidualStreamBeforeThatBlock() {
        ActivationCache cache = model.runWithCache(tokens).cache();
        Tensor resid = model.run(tokens, ForwardOptions.LOGITS.stoppingAt(2)).residual();
        assertClose("resid_pre of block 2", resid, cache.get("resid_pre", 2));
        Tensor logits = model.run(tokens, ForwardOptions.LOGITS.startingAt(2, resid)).logits();
        assertClose("start_at_layer 2 finishes the run", logits, model.forward(tokens));
    }

    /** The seed's own patching loop, which only needs run_with_hooks with a replacing hook. */
    @Test
    void seedsManualResidPrePatchingLoopMatchesTransformerLens() {
        for (String which : Fixtures.names()) {
            HookedTransformer m = Fixtures.model(which);
            JsonNode c = Fixtures.reference(which).get("cases").get("pets_sentence_swap");
            IntTensor clean = m.toTokens(Fixtures.strings(c.get("prompts")));
            IntTensor corrupted = m.toTokens(Fixtures.strings(c.get("corrupted_prompts")));
            int correct = c.get("answer_tokens").get(0).get(0).asInt(), wrong = c.get("answer_tokens").get(0).get(1).asInt();
            ActivationCache cleanCache = m.runWithCache(clean).cache();
            float cleanDiff = logitDiff(m.forward(clean), correct, wrong), corruptDiff = logitDiff(m.forward(corrupted), correct, wrong);
            JsonNode expected = c.get("patch_resid_pre_manual");
            for (int layer = 0; layer < m.cfg().nLayers(); layer++) {
                String name = "blocks." + layer + ".hook_resid_pre";
                for (int pos = 0; pos < clean.shape(1); pos++) {
                    int p = pos;
                    Tensor patched = m.runWithHooks(corrupted, List.of(Hook.of(name, (act, hk) ->
                            act.set(new Object[] {":", p}, cleanCache.get(hk.name()).get(":", p)))));
                    float metric = (logitDiff(patched, correct, wrong) - corruptDiff) / (cleanDiff - corruptDiff);
                    assertClose(which + " patch layer " + layer + " pos " + pos, metric, expected.get(layer).get(pos).asDouble());
                }
            }
        }
    }

    private static float logitDiff(Tensor logits, int correct, int wrong) {
        Tensor last = logits.get(0, -1);
        return last.item(correct) - last.item(wrong);
    }
}
