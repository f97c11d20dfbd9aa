package dev.jlens.sae;

import dev.jlens.Fixtures;
import dev.jlens.cache.ActivationCache;
import dev.jlens.hooks.Hook;
import dev.jlens.model.HookedTransformer;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * HookedSAETransformer's semantics beyond the fixtures' runs: the error term keeps the model's logits, a feature edited
 * through a hook changes the output by exactly its decoder row, and an SAE at a hook that has one replaces it. Expected
 * values come from the plain model, the reference activations and W_dec as the file holds it.
 */
class SaeSplicingTest {
    private final HookedTransformer plain = Fixtures.model("a");
    private final IntTensor tokens = IntTensor.of(Fixtures.ints(SaeFixtures.reference().get("tokens")), 1, -1);

    @Test
    void withTheErrorTermEveryLogitIsThePlainModelsUpToFloat32Rounding() {
        Tensor expected = plain.forward(tokens);
        float scale = expected.abs().max();
        for (String name : List.of("standard", "gated", "jumprelu", "topk", "standard-constnorm", "standard-legacy", "topk-v5-layernorm")) {
            Tensor logits = Saes.withSaes(plain, true, Sae.load(SaeFixtures.folder(name))).forward(tokens);
            float worst = logits.sub(expected).abs().max();
            assertThat(worst).as(name + ": max |logit - plain logit| (logits up to " + scale + ")").isLessThanOrEqualTo(1e-5f * scale);
            // without the error term the reconstruction (random SAEs: ~100% error) changes them a lot
            assertThat(Saes.withSaes(plain, false, Sae.load(SaeFixtures.folder(name))).forward(tokens).sub(expected).abs().max()).isGreaterThan(0.1f);
        }
    }

    @Test
    void ablatingOneFeatureTakesItsDecoderRowTimesItsActivationOutOfTheOutput() {
        Sae sae = Sae.load(SaeFixtures.folder("standard"));  // normalize_activations none: the decoder row enters the output as is
        String hook = "blocks.2.hook_mlp_out";
        Tensor acts = SaeFixtures.tensor("reference.safetensors", "standard/" + hook + ".hook_sae_acts_post");
        int position = 7, feature = argmax(acts.get(position));
        float activation = acts.item(position, feature);
        HookedTransformer spliced = Saes.withSaes(plain, true, sae);
        HookedTransformer ablated = spliced.withHooks(Hook.of(hook + ".hook_sae_acts_post", (a, h) -> {
            a.put(0f, 0, position, feature);
            return a;
        }));
        ActivationCache cache = ablated.runWithCache(tokens).cache();
        Tensor x = plain.runWithCache(tokens).cache().get(hook).squeeze(0);
        Tensor wDec = SaeFixtures.tensor("standard/sae_weights.safetensors", "W_dec");
        Tensor expected = x.copy();
        for (int c = 0; c < x.shape(1); c++) expected.put(x.item(position, c) - activation * wDec.item(feature, c), position, c);
        SaeFixtures.assertClose("output after the ablation", cache.get(hook + ".hook_sae_output").squeeze(0), expected);
        // the error term is computed without the edit: the same as in the run without it
        SaeFixtures.assertClose("error", cache.get(hook + ".hook_sae_error").squeeze(0),
                SaeFixtures.tensor("reference.safetensors", "standard+error/" + hook + ".hook_sae_error"));
        assertThat(cache.get(hook + ".hook_sae_acts_post").item(0, position, feature)).isZero();
    }

    @Test
    void aHookThatReplacesTheSaeInputIsSeenDownstreamWhileTheErrorTermKeepsTheCleanInput() {
        String hook = "blocks.2.hook_mlp_out";
        HookedTransformer zeroed = Saes.withSaes(plain, true, Sae.load(SaeFixtures.folder("standard")))
                .withHooks(Hook.of(hook + ".hook_sae_input", (a, h) -> Tensor.zeros(a.shape())));
        ActivationCache cache = zeroed.runWithCache(tokens).cache();
        // the SAE of a zero input, in float64 loops from the file: s = -b_dec, post = ReLU(s W_enc + b_enc), out = post W_dec + b_dec
        Tensor wEnc = SaeFixtures.tensor("standard/sae_weights.safetensors", "W_enc"), wDec = SaeFixtures.tensor("standard/sae_weights.safetensors", "W_dec");
        float[] bEnc = SaeFixtures.tensor("standard/sae_weights.safetensors", "b_enc").toArray(), bDec = SaeFixtures.tensor("standard/sae_weights.safetensors", "b_dec").toArray();
        int dIn = bDec.length, dSae = bEnc.length;
        double[] decoded = new double[dIn];
        for (int j = 0; j < dSae; j++) {
            double pre = bEnc[j];
            for (int c = 0; c < dIn; c++) pre += -bDec[c] * wEnc.item(c, j);
            if (pre > 0) for (int c = 0; c < dIn; c++) decoded[c] += pre * wDec.item(j, c);
        }
        Tensor error = SaeFixtures.tensor("reference.safetensors", "standard+error/" + hook + ".hook_sae_error");
        Tensor expected = error.copy();
        for (int p = 0; p < error.shape(0); p++) for (int c = 0; c < dIn; c++) expected.put((float) (decoded[c] + bDec[c] + error.item(p, c)), p, c);
        SaeFixtures.assertClose("output with a zero SAE input", cache.get(hook + ".hook_sae_output").squeeze(0), expected);
        SaeFixtures.assertClose("error", cache.get(hook + ".hook_sae_error").squeeze(0), error);
    }

    @Test
    void anSaeAtAHookThatHasOneReplacesItAndItsHookPointsFollowTheHost() {
        Sae standard = Sae.load(SaeFixtures.folder("standard"));
        Sae other = Sae.load(SaeFixtures.folder("gated"));
        HookedTransformer twice = Saes.withSaes(Saes.withSaes(plain, false, standard, other), true, standard);
        assertThat(Saes.of(twice)).extracting(SaeSplice::sae).containsExactly(other, standard);
        assertThat(Saes.of(twice).get(1).useErrorTerm()).isTrue();
        assertThat(twice.hookPoints()).containsSequence("blocks.2.hook_mlp_out", "blocks.2.hook_mlp_out.hook_sae_input",
                "blocks.2.hook_mlp_out.hook_sae_acts_pre", "blocks.2.hook_mlp_out.hook_sae_acts_post", "blocks.2.hook_mlp_out.hook_sae_recons",
                "blocks.2.hook_mlp_out.hook_sae_error", "blocks.2.hook_mlp_out.hook_sae_output");
    }

    private static int argmax(Tensor row) {
        float[] v = row.toArray();
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}
