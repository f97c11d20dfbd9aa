package dev.jlens.model;

import dev.jlens.Fixtures;
import dev.jlens.JlensException;
import dev.jlens.cache.ActivationCache;
import dev.jlens.hooks.Hook;
import dev.jlens.hooks.HookFunction;
import dev.jlens.tensor.Index;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;

import static dev.jlens.Fixtures.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The hook points TransformerLens fires only behind a switch ({@code use_attn_result}, {@code use_split_qkv_input},
 * {@code use_attn_in}, {@code use_hook_mlp_in}): refused by name without it, firing with TransformerLens' shapes and
 * values with it, and changing no number unless a hook changes them.
 */
class HookFlagsTest {
    private final HookedTransformer plain = Fixtures.model("a");
    private final HookedTransformer splitInputs = plain.withUseSplitQkvInput(true).withUseAttnIn(true).withUseHookMlpIn(true);
    private final HookedTransformer flagged = splitInputs.withUseAttnResult(true);
    private final IntTensor tokens = plain.toTokens("When John and Mary went to the shops, John gave the bag to");

    @ParameterizedTest
    @CsvSource({
            "blocks.0.attn.hook_result, use_attn_result, withUseAttnResult",
            "blocks.1.hook_q_input, use_split_qkv_input, withUseSplitQkvInput",
            "blocks.1.hook_k_input, use_split_qkv_input, withUseSplitQkvInput",
            "blocks.1.hook_v_input, use_split_qkv_input, withUseSplitQkvInput",
            "blocks.2.hook_attn_in, use_attn_in, withUseAttnIn",
            "blocks.3.hook_mlp_in, use_hook_mlp_in, withUseHookMlpIn"})
    void aHookNamedForASwitchedOffPointIsRefusedNamingTheSwitch(String point, String flag, String method) {
        assertThatThrownBy(() -> plain.runWithHooks(tokens, List.of(Hook.of(point, HookFunction.reading((a, h) -> {})))))
                .isInstanceOf(JlensException.class)
                .hasMessage(point + " fires only with " + flag + " on; use model." + method + "(true)");
    }

    @Test
    void withTheirSwitchesThePointsFireWithTransformerLensShapes() {
        ActivationCache cache = flagged.runWithCache(tokens).cache();
        int p = tokens.shape(1), h = plain.cfg().nHeads(), d = plain.cfg().dModel();
        for (int l = 0; l < plain.cfg().nLayers(); l++) {
            assertThat(cache.get("blocks." + l + ".attn.hook_result").shape()).containsExactly(1, p, h, d);
            for (String s : List.of("hook_q_input", "hook_k_input", "hook_v_input", "hook_attn_in")) {
                assertThat(cache.get("blocks." + l + "." + s).shape()).containsExactly(1, p, h, d);
            }
            assertThat(cache.get("blocks." + l + ".hook_mlp_in").shape()).containsExactly(1, p, d);
            // ln1 sees the per-head inputs
            assertThat(cache.get("blocks." + l + ".ln1.hook_scale").shape()).containsExactly(1, p, h, 1);
        }
        // without the switches a full cache simply has none of them
        assertThat(plain.runWithCache(tokens).cache().keys())
                .noneMatch(k -> k.matches("blocks\\.\\d+\\.(attn\\.hook_result|hook_[qkv]_input|hook_attn_in|hook_mlp_in)"));
    }

    @Test
    void theSplitInputsAreTheResidualStreamCopiedPerHeadAndMlpInIsResidMid() {
        ActivationCache cache = flagged.runWithCache(tokens).cache();
        for (int l = 0; l < plain.cfg().nLayers(); l++) {
            Tensor residPre = cache.get("resid_pre", l);
            for (String s : List.of("hook_q_input", "hook_k_input", "hook_v_input", "hook_attn_in")) {
                Tensor split = cache.get("blocks." + l + "." + s);
                for (int head = 0; head < plain.cfg().nHeads(); head++) {
                    assertThat(sameBits(split.get(":", ":", head), residPre)).as(s + " head " + head).isTrue();
                }
            }
            assertThat(sameBits(cache.get("blocks." + l + ".hook_mlp_in"), cache.get("resid_mid", l))).as("mlp_in " + l).isTrue();
        }
    }

    @Test
    void theInputSwitchesChangeNoBitOfWhatBothRunsHave() {
        ActivationCache a = plain.runWithCache(tokens).cache(), b = splitInputs.runWithCache(tokens).cache();
        assertThat(sameBits(splitInputs.forward(tokens), plain.forward(tokens))).as("logits").isTrue();
        for (String name : a.keys()) {
            if (name.contains(".ln1.")) continue;  // per head with the split inputs
            assertThat(sameBits(b.get(name), a.get(name))).as(name).isTrue();
        }
    }

    @Test
    void theHeadResultsSwitchChangesTheLogitsOnlyByTheOrderOfSums() {
        assertClose("logits with use_attn_result", flagged.forward(tokens), plain.forward(tokens));
    }

    private static boolean sameBits(Tensor a, Tensor b) {
        return java.util.Arrays.equals(a.shape(), b.shape()) && java.util.Arrays.equals(a.toArray(), b.toArray());
    }

    @Test
    void headResultsSummedOverHeadsPlusTheBiasAreTheUnsplitAttentionOutput() {
        ActivationCache a = plain.runWithCache(tokens).cache(), b = flagged.runWithCache(tokens).cache();
        for (int l = 0; l < plain.cfg().nLayers(); l++) {
            Tensor summed = b.get("result", l, "attn").sum(2).add(plain.b_O().get(l));
            assertClose("sum of hook_result + b_O, layer " + l, summed, a.get("attn_out", l));
            assertClose("hook_attn_out, layer " + l, b.get("attn_out", l), a.get("attn_out", l));
        }
    }

    @Test
    void aHookOnOneHeadsQueryInputChangesThatHeadsQueriesAlone() {
        int head = 1;
        ActivationCache clean = flagged.runWithCache(tokens).cache();
        ActivationCache edited = flagged.runWithCache(tokens, CacheOptions.ALL.withHooks(List.of(
                Hook.of("blocks.1.hook_q_input", (act, hk) -> act.set(Index.of(":", ":", head), 0f))))).cache();
        Tensor q = edited.get("q", 1), q0 = clean.get("q", 1);
        for (int h = 0; h < plain.cfg().nHeads(); h++) {
            if (h == head) continue;
            assertThat(sameBits(q.get(":", ":", h), q0.get(":", ":", h))).as("head " + h).isTrue();
        }
        // ln1 of a zero vector is zero, so the head's queries are its bias
        Tensor bias = plain.b_Q().get(1, head);
        for (int p = 0; p < tokens.shape(1); p++) assertClose("q of the zeroed head at " + p, q.get(0, p, head), bias);
        assertThat(sameBits(edited.get("k", 1), clean.get("k", 1))).as("k").isTrue();
        assertThat(sameBits(edited.get("v", 1), clean.get("v", 1))).as("v").isTrue();
    }

    @Test
    void aZeroedHeadResultIsAHeadAblation() {
        List<String> seen = new ArrayList<>();
        Tensor ablated = flagged.runWithHooks(tokens, List.of(Hook.of("blocks.0.attn.hook_result", (act, hk) -> {
            seen.add(hk.name());
            return act.set(Index.of(":", ":", 0), 0f);
        })));
        assertThat(seen).containsExactly("blocks.0.attn.hook_result");
        // the same ablation through hook_z (z of head 0 zeroed leaves its result zero)
        Tensor viaZ = plain.runWithHooks(tokens, List.of(Hook.of("blocks.0.attn.hook_z", (act, hk) -> act.set(Index.of(":", ":", 0), 0f))));
        assertClose("hook_result ablation = hook_z ablation", ablated, viaZ);
        assertThat(ablated.allClose(plain.forward(tokens), 1e-4, 1e-4)).isFalse();
    }
}
