package dev.jlens.sae;

import dev.jlens.Fixtures;
import dev.jlens.JlensException;
import dev.jlens.cache.ActivationCache;
import dev.jlens.hooks.Hook;
import dev.jlens.model.ForwardOptions;
import dev.jlens.model.HookedTransformer;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Steering adds coefficient x W_dec[f] (as the file holds it) at the SAE's hook point, and the model runs on from
 * there; ablation takes exactly activation x W_dec[f] (the float64 reference activations) out of the SAE's output.
 */
class FeatureSteeringTest {
    private final HookedTransformer plain = Fixtures.model("a");
    private final IntTensor tokens = IntTensor.of(Fixtures.ints(SaeFixtures.reference().get("tokens")), 1, -1);

    @Test
    void steeringAddsTheDecoderRowAtEveryPositionAndTheModelRunsOnFromThere() {
        Sae sae = Sae.load(SaeFixtures.folder("standard-legacy"));  // blocks.1.hook_resid_pre
        int feature = 17;
        float coefficient = 12.5f;
        Tensor row = SaeFixtures.tensor("standard-legacy/sae_weights.safetensors", "W_dec").get(feature);
        Tensor x = plain.runWithCache(tokens).cache().get("blocks.1.hook_resid_pre");
        Tensor expectedResid = x.copy();
        for (int p = 0; p < x.shape(1); p++) for (int c = 0; c < x.shape(2); c++) expectedResid.put(x.item(0, p, c) + coefficient * row.item(c), 0, p, c);

        HookedTransformer steered = FeatureSteering.steered(plain, sae, feature, coefficient);
        var run = steered.runWithCache(tokens);
        SaeFixtures.assertClose("steered resid_pre 1", run.cache().get("blocks.1.hook_resid_pre"), expectedResid);
        Tensor expectedLogits = plain.run(tokens, ForwardOptions.LOGITS.startingAt(1, expectedResid)).logits();
        SaeFixtures.assertClose("steered logits", run.logits(), expectedLogits);
        assertThat(run.logits().sub(plain.forward(tokens)).abs().max()).as("steering changes the logits").isGreaterThan(0.01f);
    }

    @Test
    void ablatingFeaturesTakesExactlyWhatTheyWroteOutOfThePlainModelsActivation() {
        Sae sae = Sae.load(SaeFixtures.folder("standard"));  // blocks.2.hook_mlp_out, normalize_activations none
        String hook = "blocks.2.hook_mlp_out";
        int[] features = {3, 40, 101};
        Tensor acts = SaeFixtures.tensor("reference.safetensors", "standard/" + hook + ".hook_sae_acts_post");
        Tensor wDec = SaeFixtures.tensor("standard/sae_weights.safetensors", "W_dec");
        Tensor x = plain.runWithCache(tokens).cache().get(hook).squeeze(0);
        Tensor expected = x.copy();
        double removed = 0;
        for (int p = 0; p < x.shape(0); p++) {
            for (int c = 0; c < x.shape(1); c++) {
                double v = x.item(p, c);
                for (int f : features) v -= (double) acts.item(p, f) * wDec.item(f, c);
                removed = Math.max(removed, Math.abs(v - x.item(p, c)));
                expected.put((float) v, p, c);
            }
        }
        assertThat(removed).as("the features fire somewhere").isGreaterThan(1e-3);

        HookedTransformer ablated = FeatureSteering.ablated(plain, sae, features);
        var run = ablated.runWithCache(tokens);
        ActivationCache cache = run.cache();
        SaeFixtures.assertClose("output", cache.get(hook + ".hook_sae_output").squeeze(0), expected);
        for (int f : features) for (int p = 0; p < x.shape(0); p++) assertThat(cache.get(hook + ".hook_sae_acts_post").item(0, p, f)).isZero();
        Tensor expectedLogits = plain.withHooks(Hook.of(hook, (a, h) -> expected.reshape(a.shape()))).forward(tokens);
        SaeFixtures.assertClose("logits", run.logits(), expectedLogits);
    }

    @Test
    void aFeatureTheSaeLacksIsRefusedInOneLine() {
        Sae sae = Sae.load(SaeFixtures.folder("standard"));
        assertThatThrownBy(() -> FeatureSteering.steer(sae, 256, 1f)).isInstanceOf(JlensException.class)
                .hasMessage("feature 256 is out of range: the SAE has 256 features (0..255)");
        assertThatThrownBy(() -> FeatureSteering.ablate(sae, -1)).isInstanceOf(JlensException.class)
                .hasMessage("feature -1 is out of range: the SAE has 256 features (0..255)");
    }
}
