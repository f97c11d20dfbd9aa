package dev.jlens.analysis;

import dev.jlens.patching.Patching;

import dev.jlens.Fixtures;
import dev.jlens.cache.ActivationCache;
import dev.jlens.hooks.ActName;
import dev.jlens.hooks.Hook;
import dev.jlens.hooks.HookFunction;
import dev.jlens.hooks.Splice;
import dev.jlens.model.GenerateOptions;
import dev.jlens.model.HookedTransformer;
import dev.jlens.tensor.Index;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.jlens.Fixtures.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Hooks that travel with the model ({@code model.withHooks}) change every entry point exactly as the same hook
 * passed to a plain run does; the expected values here come from plain runs with the hook, never from the code
 * under test.
 */
class InterventionsTest {
    private static final String PROMPT = "When John and Mary went to the shops, John gave the bag to";
    private final HookedTransformer plain = Fixtures.model("a");
    /** Zero-ablates head 1 of layer 1 (TransformerLens' usual head ablation on hook_z). */
    private final Hook ablation = Hook.of("blocks.1.attn.hook_z", (z, hook) -> z.set(Index.of(":", ":", 1), 0f));
    private final HookedTransformer ablated = plain.withHooks(ablation);

    @Test
    void everyRunStartsWithTheModelsHooksAndTheModelItselfIsUnchanged() {
        IntTensor tokens = plain.toTokens(PROMPT);
        Tensor expected = plain.runWithHooks(tokens, List.of(ablation));
        assertThat(Arrays.equals(ablated.forward(tokens).toArray(), expected.toArray())).isTrue();
        assertThat(expected.allClose(plain.forward(tokens), 1e-4, 1e-4)).as("the ablation matters").isFalse();
        ActivationCache cache = ablated.runWithCache(tokens).cache();
        assertThat(cache.get("z", 1).get(":", ":", 1).abs().max()).isZero();
        assertThat(plain.runWithCache(tokens).cache().get("z", 1).get(":", ":", 1).abs().max()).isPositive();
    }

    @Test
    void testPromptRanksTheAnswerOnTheHookedLogits() {
        String answer = " Mary";
        IntTensor tokens = plain.toTokens(PROMPT + answer);
        int at = tokens.shape(1) - 2, answerId = tokens.item(0, tokens.shape(1) - 1);
        for (HookedTransformer m : List.of(ablated, plain.withHooks(boost(answerId)))) {
            Tensor logits = plain.runWithHooks(tokens, m.hooks()).get(0, at);
            int rank = 0;
            for (float x : logits.toArray()) if (x > logits.item(answerId)) rank++;
            assertThat(new TestPrompt(m).ranks(PROMPT, List.of(answer)).getFirst().getFirst().rank()).isEqualTo(rank);
        }
        String boosted = new TestPrompt(plain.withHooks(boost(answerId))).run(PROMPT, answer);
        assertThat(boosted).contains("Ranks of the answer tokens: [(' Mary', 0)]");
        assertThat(new TestPrompt(plain).run(PROMPT, answer)).isNotEqualTo(boosted);
    }

    /** Adds 100 to one token's logit everywhere. */
    private static Hook boost(int token) {
        return Hook.of("unembed.hook_out", (logits, hook) -> {
            Tensor out = logits.copy();
            for (int p = 0; p < logits.shape(1); p++) out.put(logits.item(0, p, token) + 100f, 0, p, token);
            return out;
        });
    }

    @Test
    void greedyGenerationFollowsTheHookedModel() {
        IntTensor prompt = plain.toTokens(PROMPT);
        int steps = 6;
        // independent: full forward passes with the hook, argmax of the last position
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < prompt.shape(1); i++) ids.add(prompt.item(0, i));
        for (int s = 0; s < steps; s++) {
            IntTensor t = IntTensor.of(new int[][] {ids.stream().mapToInt(Integer::intValue).toArray()});
            Tensor logits = plain.runWithHooks(t, List.of(ablation));
            ids.add(logits.get(0, t.shape(1) - 1).argmax());
        }
        for (boolean kv : List.of(true, false)) {
            IntTensor out = ablated.generate(prompt, GenerateOptions.greedy(steps).withStopAtEos(false).withUseKvCache(kv));
            assertThat(out.row(0)).as("kv cache " + kv).containsExactly(ids.stream().mapToInt(Integer::intValue).toArray());
        }
    }

    @Test
    void patchingAHookedModelPatchesTheHookedRunsAndNeverBypassesTheHooks() {
        IntTensor clean = plain.toTokens(PROMPT);
        IntTensor corrupted = plain.toTokens("When John and Mary went to the shops, Mary gave the bag to");
        IntTensor answers = IntTensor.of(new int[][] {{plain.toSingleToken(" Mary"), plain.toSingleToken(" John")}});
        ActivationCache cleanCache = ablated.runWithCache(clean).cache();
        float cleanDiff = LogitDiff.average(ablated.forward(clean), answers), corruptedDiff = LogitDiff.average(ablated.forward(corrupted), answers);
        PatchingMetric metric = LogitDiff.normalized(answers, cleanDiff, corruptedDiff);
        Tensor swept = new Patching(ablated, corrupted, cleanCache, metric).residPre();

        int layers = plain.cfg().nLayers(), pos = clean.shape(1);
        for (int l = 0; l < layers; l++) {
            for (int p = 0; p < pos; p++) {
                String name = ActName.get("resid_pre", l);
                int at = p;
                Tensor logits = plain.runWithHooks(corrupted, List.of(ablation,
                        Hook.of(name, (act, hook) -> act.set(Index.of(":", at), cleanCache.get(name).get(":", at)))));
                assertClose("resid_pre L" + l + " pos " + p, swept.item(l, p), metric.apply(logits));
            }
        }
        assertThatThrownBy(() -> dev.jlens.model.PatchEngine.forCorrupted(ablated, corrupted, java.util.Set.of()))
                .hasMessageContaining("cannot run a model with hooks");
    }

    @Test
    void aSplicedModuleRunsAfterItsHostsHooksAndItsOwnHookPointsFire() {
        IntTensor tokens = plain.toTokens(PROMPT);
        Splice doubling = new Splice() {
            @Override
            public String hookName() {
                return "blocks.0.hook_resid_pre";
            }

            @Override
            public List<String> childHookPoints() {
                return List.of("hook_doubled");
            }

            @Override
            public Tensor apply(Tensor activation, ChildHooks hooks) {
                return hooks.fire("hook_doubled", activation.mul(2f));
            }
        };
        HookedTransformer spliced = plain.withSplice(doubling);
        assertThat(spliced.hookPoints()).containsSequence("blocks.0.hook_resid_pre", "blocks.0.hook_resid_pre.hook_doubled", "blocks.0.hook_resid_mid");
        Tensor expected = plain.runWithHooks(tokens, List.of(Hook.of("blocks.0.hook_resid_pre", (act, hook) -> act.mul(2f))));
        assertThat(Arrays.equals(spliced.forward(tokens).toArray(), expected.toArray())).isTrue();

        ActivationCache cache = spliced.runWithCache(tokens).cache();
        assertThat(Arrays.equals(cache.get("blocks.0.hook_resid_pre.hook_doubled").toArray(), cache.get("resid_pre", 0).mul(2f).toArray())).isTrue();
        // a hook on the child replaces what the module passes on
        List<String> seen = new ArrayList<>();
        Tensor zeroed = spliced.runWithHooks(tokens, List.of(Hook.of("blocks.0.hook_resid_pre.hook_doubled", (act, hook) -> {
            seen.add(hook.name());
            return Tensor.zeros(act.shape());
        })));
        Tensor zeroedPlain = plain.runWithHooks(tokens, List.of(Hook.of("blocks.0.hook_resid_pre", (act, hook) -> Tensor.zeros(act.shape()))));
        assertThat(seen).containsExactly("blocks.0.hook_resid_pre.hook_doubled");
        assertThat(Arrays.equals(zeroed.toArray(), zeroedPlain.toArray())).isTrue();
        assertThatThrownBy(() -> plain.runWithHooks(tokens, List.of(Hook.of("blocks.0.hook_resid_pre.hook_doubled", HookFunction.reading((a, h) -> {})))))
                .hasMessageContaining("no hook point named");
    }
}
