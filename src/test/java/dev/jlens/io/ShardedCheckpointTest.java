package dev.jlens.io;

import dev.jlens.JlensException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Safetensors shards behind Hugging Face's model.safetensors.index.json read as one checkpoint. */
class ShardedCheckpointTest {
    @TempDir
    Path dir;

    private Path shards(String indexJson) throws Exception {
        LinkedHashMap<String, SafetensorsWriter.Tensor> first = new LinkedHashMap<>(), second = new LinkedHashMap<>();
        first.put("a", new SafetensorsWriter.Tensor(new long[] {2, 2}, new float[] {1, 2, 3, 4}));
        second.put("b", new SafetensorsWriter.Tensor(new long[] {2}, new float[] {5.5f, -6}));
        SafetensorsWriter.write(dir.resolve("model-00001-of-00002.safetensors"), first, Map.of());
        SafetensorsWriter.write(dir.resolve("model-00002-of-00002.safetensors"), second, Map.of());
        return Files.writeString(dir.resolve(ShardedCheckpoint.INDEX), indexJson);
    }

    @Test
    void tensorsAreReadFromTheShardTheIndexNames() throws Exception {
        Path index = shards("{\"metadata\": {\"total_size\": 24}, \"weight_map\": {\"a\": \"model-00001-of-00002.safetensors\", "
                + "\"b\": \"model-00002-of-00002.safetensors\"}}");
        try (Checkpoint c = Checkpoint.open(index)) {
            assertThat(c.names()).containsExactly("a", "b");
            assertThat(c.info("a").shape()).containsExactly(2L, 2L);
            assertThat(c.readFloat32("a")).containsExactly(1, 2, 3, 4);
            assertThat(c.readFloat32("b")).containsExactly(5.5f, -6);
        }
    }

    @Test
    void anIndexThatPutsATensorInTheWrongShardIsRefused() throws Exception {
        Path index = shards("{\"weight_map\": {\"a\": \"model-00002-of-00002.safetensors\"}}");
        assertThatThrownBy(() -> Checkpoint.open(index)).isInstanceOf(JlensException.class)
                .hasMessageContaining("tensor \"a\" is not in model-00002-of-00002.safetensors");
    }

    @Test
    void aShardOutsideTheFolderIsRefused() throws Exception {
        Path index = shards("{\"weight_map\": {\"a\": \"../elsewhere.safetensors\"}}");
        assertThatThrownBy(() -> Checkpoint.open(index)).isInstanceOf(JlensException.class)
                .hasMessageContaining("is not a file name beside the index");
    }
}
