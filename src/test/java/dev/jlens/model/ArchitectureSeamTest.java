package dev.jlens.model;

import dev.jlens.Fixtures;
import dev.jlens.JlensException;
import dev.jlens.io.Json;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The architecture seam: config.json's model_type picks the reader, the config is typed, unsupported parts are refused. */
class ArchitectureSeamTest {
    @Test
    void gpt2ConfigsAreTypedAsTransformerLensDerivesThem() {
        ModelConfig folded = ModelConfig.fromHuggingFace(Fixtures.modelDir("a").resolve("config.json"), "a", true);
        ModelConfig raw = ModelConfig.fromHuggingFace(Fixtures.modelDir("a").resolve("config.json"), "a", false);
        assertThat(folded.architecture()).isEqualTo("GPT2LMHeadModel");
        assertThat(folded.normalizationType()).isEqualTo(NormalizationType.LN_PRE);
        assertThat(folded.normalizationType().toString()).isEqualTo("LNPre");
        assertThat(raw.normalizationType()).isEqualTo(NormalizationType.LN);
        assertThat(folded.actFn().toString()).isEqualTo("gelu_new");
        assertThat(folded.positionalEmbeddingType()).isEqualTo(PositionalEmbeddingType.STANDARD);
        assertThat(folded.nKeyValueHeads()).isEqualTo(folded.nHeads());
        assertThat(folded.gatedMlp() || folded.parallelAttnMlp()).isFalse();
        assertThat(folded.unsupportedPart()).isEmpty();
    }

    @Test
    void aModelTypeNoArchitectureReadsIsRefusedListingTheKnownOnes() {
        Json.Obj config = (Json.Obj) Json.parse("{\"model_type\": \"mamba\", \"hidden_size\": 64}", 8);
        assertThatThrownBy(() -> ModelConfig.fromHuggingFace(config, "M/config.json", "m", true))
                .isInstanceOf(JlensException.class)
                .hasMessage("M/config.json: model_type is \"mamba\"; jlens runs GPT-2, GPT-NeoX, Llama, Gemma 2 models only"
                        + " (model_type \"gpt2\", \"gpt_neox\", \"llama\", \"gemma2\")");
    }

    @Test
    void aModelWithAPartTheBlockDoesNotComputeIsRefusedWhenBuilt() {
        HookedTransformer model = dev.jlens.ArchFixtures.model("tiny-neox-a");
        ModelConfig split = model.cfg().withHookFlags(dev.jlens.hooks.HookFlags.NONE.withUseSplitQkvInput(true));
        assertThatThrownBy(() -> new HookedTransformer(split, model.weights(), model.tokenizer()))
                .isInstanceOf(JlensException.class)
                .hasMessageEndingWith("jlens does not compute use_split_qkv_input or use_attn_in with rotary embeddings or grouped-query attention yet");
    }
}
