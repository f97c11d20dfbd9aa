package dev.jlens.model;

import dev.jlens.ArchFixtures;
import dev.jlens.JlensException;
import dev.jlens.io.Checkpoint;
import dev.jlens.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.jlens.Fixtures.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The stacked weight properties on grouped-query models as TransformerLens 3.5.1 has them: {@code W_K}, {@code W_V},
 * {@code b_K}, {@code b_V} per query head ({@code repeat_interleave} of the stored {@code _W_K} ...), so the OV and
 * QK circuits have a factor per query head; expected values from the fixtures' Hugging Face tensors.
 */
class GroupedQueryWeightsTest {
    /** {@code name}'s projection weight of layer {@code l} ([out, d_model] as Hugging Face stores it). */
    private static float[] hf(String fixture, String name) {
        try (Checkpoint ckpt = Checkpoint.open(ModelLoader.weightsFile(ArchFixtures.dir(fixture)))) {
            return ckpt.readFloat32(name);
        }
    }

    /** TransformerLens' [n_heads, d_model, d_head] from a [rows, d_model] projection whose head h is its row block {@code h / repeat}. */
    private static float[] perHead(float[] proj, int heads, int repeat, int d, int e) {
        float[] out = new float[heads * d * e];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < d; i++) for (int j = 0; j < e; j++) out[(h * d + i) * e + j] = proj[((h / repeat) * e + j) * d + i];
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-lm-rms-a", "tiny-gm2-a"})
    void unprocessedWeightsArePerQueryHeadAndGroupedUnderscoreWeightsAsStored(String fixture) {
        HookedTransformer model = ArchFixtures.unprocessedModel(fixture);
        ModelConfig c = model.cfg();
        int h = c.nHeads(), kvh = c.nKeyValueHeads(), d = c.dModel(), e = c.dHead(), repeat = h / kvh;
        assertThat(kvh).as("a grouped-query fixture").isLessThan(h);
        Tensor wK = model.W_K(), wV = model.W_V(), wQ = model.W_Q();
        assertThat(wK.shape()).containsExactly(c.nLayers(), h, d, e);
        assertThat(wV.shape()).containsExactly(c.nLayers(), h, d, e);
        assertThat(model._W_K().shape()).containsExactly(c.nLayers(), kvh, d, e);
        assertThat(model._W_V().shape()).containsExactly(c.nLayers(), kvh, d, e);
        assertThat(model.b_K().shape()).containsExactly(c.nLayers(), h, e);
        assertThat(model._b_V().shape()).containsExactly(c.nLayers(), kvh, e);
        assertThat(model.W_gate().shape()).containsExactly(c.nLayers(), d, c.dMlp());
        for (int l = 0; l < c.nLayers(); l++) {
            String p = "model.layers." + l + ".self_attn.";
            assertThat(wQ.get(l).toArray()).as("W_Q[%d]", l).containsExactly(perHead(hf(fixture, p + "q_proj.weight"), h, 1, d, e));
            assertThat(wK.get(l).toArray()).as("W_K[%d]", l).containsExactly(perHead(hf(fixture, p + "k_proj.weight"), h, repeat, d, e));
            assertThat(wV.get(l).toArray()).as("W_V[%d]", l).containsExactly(perHead(hf(fixture, p + "v_proj.weight"), h, repeat, d, e));
            assertThat(model._W_K().get(l).toArray()).as("_W_K[%d]", l).containsExactly(perHead(hf(fixture, p + "k_proj.weight"), kvh, 1, d, e));
            assertThat(model._W_V().get(l).toArray()).as("_W_V[%d] is the state dict's", l)
                    .containsExactly(model.stateDict().get("blocks." + l + ".attn._W_V").toArray());
            assertThat(model.W_gate().get(l).toArray()).as("W_gate[%d]", l)
                    .containsExactly(Tensor.of(hf(fixture, "model.layers." + l + ".mlp.gate_proj.weight"), c.dMlp(), d).mT().copy().toArray());
        }
    }

    @Test
    void processedKeysAndValuesCarryTheFoldedRmsNormWeight() {
        String fixture = "tiny-lm-rms-a";
        HookedTransformer model = ArchFixtures.model(fixture);
        ModelConfig c = model.cfg();
        int h = c.nHeads(), d = c.dModel(), e = c.dHead(), repeat = h / c.nKeyValueHeads();
        for (int l = 0; l < c.nLayers(); l++) {
            float[] ln1 = hf(fixture, "model.layers." + l + ".input_layernorm.weight");
            float[] expected = perHead(hf(fixture, "model.layers." + l + ".self_attn.k_proj.weight"), h, repeat, d, e);
            for (int head = 0; head < h; head++) for (int i = 0; i < d; i++) for (int j = 0; j < e; j++) expected[(head * d + i) * e + j] *= ln1[i];
            assertClose("W_K[" + l + "] folded", model.W_K().get(l).toArray(), expected);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-lm-rms-a", "tiny-gm2-a"})
    void circuitsHaveOneFactorPerQueryHead(String fixture) {
        HookedTransformer model = ArchFixtures.model(fixture);
        ModelConfig c = model.cfg();
        int h = c.nHeads(), d = c.dModel(), e = c.dHead(), repeat = h / c.nKeyValueHeads();
        assertThat(model.OV().shape()).containsExactly(c.nLayers(), h, d, d);
        assertThat(model.QK().shape()).containsExactly(c.nLayers(), h, d, d);
        Tensor kv = model._W_V(), k = model._W_K(), q = model.W_Q(), o = model.W_O();
        for (int l = 0; l < c.nLayers(); l++) {
            for (int head = 0; head < h; head++) {
                float[] ov = new float[d * d], qk = new float[d * d];
                float[] v = kv.get(l, head / repeat).toArray(), kk = k.get(l, head / repeat).toArray(), qq = q.get(l, head).toArray(), oo = o.get(l, head).toArray();
                for (int i = 0; i < d; i++) {
                    for (int j = 0; j < d; j++) {
                        double sOv = 0, sQk = 0;
                        for (int x = 0; x < e; x++) {
                            sOv += (double) v[i * e + x] * oo[x * d + j];
                            sQk += (double) qq[i * e + x] * kk[j * e + x];
                        }
                        ov[i * d + j] = (float) sOv;
                        qk[i * d + j] = (float) sQk;
                    }
                }
                assertClose(fixture + " OV[" + l + ", " + head + "]", model.OV().get(l, head).AB().toArray(), ov);
                assertClose(fixture + " QK[" + l + ", " + head + "]", model.QK().get(l, head).AB().toArray(), qk);
            }
        }
        assertThat(model.allCompositionScores("K").shape()).containsExactly(c.nLayers(), h, c.nLayers(), h);
    }

    @Test
    void withoutGroupingTheUnderscoreWeightsAreTheSameAndTheGateIsAbsent() {
        HookedTransformer neox = ArchFixtures.model("tiny-neox-a");
        assertThat(neox._W_K().toArray()).containsExactly(neox.W_K().toArray());
        assertThat(neox._b_V().toArray()).containsExactly(neox.b_V().toArray());
        assertThat(neox.W_gate()).isNull();
        assertThatThrownBy(neox::W_pos).isInstanceOf(JlensException.class).hasMessageContaining("rotary");
    }
}
