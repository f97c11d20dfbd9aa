package dev.jlens.bench;

import dev.jlens.ArchFixtures;
import dev.jlens.io.ShardedCheckpoint;
import dev.jlens.model.HookedTransformer;
import dev.jlens.model.ModelConfig;
import dev.jlens.model.PositionalEmbeddingType;
import dev.jlens.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Random Pythia folders: Pythia's config rules and shapes, sharded weights every tensor of which the NeoX reader reads. */
class RandomPythiaTest {
    @Test
    void aSmallPythiaLoadsAsGptNeoXFromItsShards(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("m");
        RandomPythia.write(out, 3, 4, 64, 7, ArchFixtures.dir("tiny-neox-a"));
        assertThat(out.resolve(ShardedCheckpoint.INDEX)).isRegularFile();
        assertThat(ShardedCheckpoint.files(out.resolve(ShardedCheckpoint.INDEX))).hasSize(1 + 4);
        HookedTransformer model = HookedTransformer.fromFolder(out);
        ModelConfig c = model.cfg();
        assertThat(c.architecture()).isEqualTo("GPTNeoXForCausalLM");
        assertThat(c.nLayers()).isEqualTo(3);
        assertThat(c.dMlp()).isEqualTo(256);
        assertThat(c.dVocab()).isEqualTo(50304);
        assertThat(c.dVocabOut()).isEqualTo(50304);
        assertThat(c.parallelAttnMlp()).isTrue();
        assertThat(c.positionalEmbeddingType()).isEqualTo(PositionalEmbeddingType.ROTARY);
        assertThat(c.variant().rotaryDim()).isEqualTo(4);   // a quarter of d_head 16
        Tensor logits = model.forward("The cat sat on the mat");
        assertThat(logits.shape()).containsExactly(1, 6, 50304);
        for (float v : logits.toArray()) assertThat(Float.isFinite(v)).isTrue();
        // the embeddings' shard holds both untied matrices
        try (var ckpt = dev.jlens.io.Checkpoint.open(out.resolve(ShardedCheckpoint.INDEX))) {
            assertThat(ckpt.readFloat32("embed_out.weight")).isNotEqualTo(ckpt.readFloat32("gpt_neox.embed_in.weight"));
        }
    }

    @Test
    void pythia1bHasItsConfigsSizes() {
        RandomPythia.Shape s = RandomPythia.Shape.of("pythia-1b").orElseThrow();
        // EleutherAI/pythia-1b config.json: hidden_size 2048, 16 layers, 8 heads, intermediate_size 8192
        assertThat(new int[] {s.dModel, s.nLayers, s.nHeads}).containsExactly(2048, 16, 8);
        assertThat(RandomPythia.Shape.of("Pythia-1.4B")).contains(RandomPythia.Shape.PYTHIA_1_4B);
        assertThat(RandomPythia.Shape.of("small")).isEmpty();
        assertThat(RandomPythia.config(16, 8, 2048)).contains("\"intermediate_size\": 8192", "\"rotary_pct\": 0.25", "\"vocab_size\": 50304",
                "\"max_position_embeddings\": 2048", "\"use_parallel_residual\": true");
    }

    @Test
    void anExistingModelIsNeverOverwritten(@TempDir Path dir) throws Exception {
        Path out = Files.createDirectories(dir.resolve("m"));
        Files.writeString(out.resolve("config.json"), "{}");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RandomPythia.write(out, RandomPythia.Shape.PYTHIA_70M, 0, ArchFixtures.dir("tiny-neox-a")))
                .hasMessageContaining("is a folder that is not empty");
        assertThat(Files.readString(out.resolve("config.json"))).isEqualTo("{}");
    }
}
