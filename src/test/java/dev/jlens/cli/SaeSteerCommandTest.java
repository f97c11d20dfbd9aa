package dev.jlens.cli;

import dev.jlens.Fixtures;
import dev.jlens.model.ForwardOptions;
import dev.jlens.model.HookedTransformer;
import dev.jlens.sae.SaeFixtures;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code jlens sae steer}: the steered model's next tokens are those of the plain model run on from the SAE's hook
 * point with coefficient x W_dec[F] (from the file) added; ablation prints the plain and the ablated model's.
 */
class SaeSteerCommandTest {
    private static final String MODEL = Fixtures.modelDir("a").toString();
    private static final String SAE = SaeFixtures.folder("standard-legacy").toString();  // blocks.1.hook_resid_pre
    private static final String PROMPT = "The cat sat on the mat";

    @Test
    void steeringPrintsTheTokensOfTheModelRunOnFromTheSteeredResidualStream() {
        int feature = 17, k = 3;
        float coefficient = 12.5f;
        CliRunner.Result r = CliRunner.run("sae", "steer", "--model", MODEL, "--sae", SAE, "--prompt", PROMPT, "--feature", String.valueOf(feature),
                "--coefficient", String.valueOf(coefficient), "--top-k", String.valueOf(k), "--max-new-tokens", "2");
        assertThat(r.exitCode()).as(r.err()).isZero();
        HookedTransformer plain = Fixtures.model("a");
        IntTensor tokens = plain.toTokens(PROMPT);
        Tensor row = SaeFixtures.tensor("standard-legacy/sae_weights.safetensors", "W_dec").get(feature);
        Tensor resid = plain.runWithCache(tokens).cache().get("blocks.1.hook_resid_pre").copy();
        for (int p = 0; p < resid.shape(1); p++) for (int c = 0; c < resid.shape(2); c++) resid.put(resid.item(0, p, c) + coefficient * row.item(c), 0, p, c);
        Tensor steered = plain.run(tokens, ForwardOptions.LOGITS.startingAt(1, resid)).logits();
        Tensor plainLogits = plain.forward(tokens);
        String[] lines = r.out().split("\n");
        assertThat(lines[0]).isEqualTo("# blocks.1.hook_resid_pre feature 17: 12.5 x W_dec[17] added at every position");
        assertThat(lines[1]).isEqualTo("# model\trank\ttoken\tstr\tlogit\tprobability");
        expectTop(lines, 2, "plain", plainLogits, k);
        expectTop(lines, 2 + k, "steered", steered, k);
        assertThat(lines[2 + 2 * k]).startsWith("plain:\t'" + PROMPT);
        assertThat(lines[3 + 2 * k]).startsWith("steered:\t'" + PROMPT);
    }

    @Test
    void ablationPrintsThePlainAndTheAblatedModelsTokens() {
        CliRunner.Result r = CliRunner.run("sae", "steer", "--model", MODEL, "--sae", SAE, "--prompt", PROMPT, "--feature", "5", "--ablate", "--top-k", "2");
        assertThat(r.exitCode()).as(r.err()).isZero();
        String[] lines = r.out().split("\n");
        assertThat(lines[0]).isEqualTo("# blocks.1.hook_resid_pre feature 5: ablated (set to 0) at every position, error term on");
        assertThat(lines).hasSize(6);
        assertThat(lines[4]).startsWith("ablated\t0\t");
    }

    @Test
    void steeringOrAblationIsNamedExactlyOnceAndTheFeatureIsInRange() {
        assertThat(Refused.run("sae", "steer", "--model", MODEL, "--sae", SAE, "--prompt", PROMPT, "--feature", "5").err())
                .contains("give either --coefficient C (steer) or --ablate, not neither");
        assertThat(Refused.run("sae", "steer", "--model", MODEL, "--sae", SAE, "--prompt", PROMPT, "--feature", "5", "--ablate", "--coefficient", "2").err())
                .contains("give either --coefficient C (steer) or --ablate, not both");
        assertThat(Refused.run("sae", "steer", "--model", MODEL, "--sae", SAE, "--prompt", PROMPT, "--feature", "300", "--coefficient", "2").err())
                .contains("feature 300 is out of range: the SAE has 256 features (0..255)");
    }

    /** Lines [from, from + k) are the top k tokens of the last position's logits, with their logits. */
    private static void expectTop(String[] lines, int from, String model, Tensor logits, int k) {
        Tensor last = logits.get(0).get(logits.shape(1) - 1);
        Tensor.TopK top = last.topk(k);
        for (int i = 0; i < k; i++) {
            String[] f = lines[from + i].split("\t");
            assertThat(f[0] + "\t" + f[1] + "\t" + f[2]).isEqualTo(model + "\t" + i + "\t" + top.indices().item(i));
            assertThat(Double.parseDouble(f[4])).as(lines[from + i]).isCloseTo(top.values().item(i), org.assertj.core.data.Offset.offset(2e-3 * Math.max(1, Math.abs(top.values().item(i)))));
        }
    }
}
