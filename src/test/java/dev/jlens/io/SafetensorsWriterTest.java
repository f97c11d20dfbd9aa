package dev.jlens.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jlens.JlensException;
import dev.jlens.io.SafetensorsWriter.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsWriterTest {

    @TempDir
    Path dir;

    private static LinkedHashMap<String, Tensor> sample() {
        LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("cache/blocks.0.hook_resid_pre", new Tensor(new long[] {2, 3}, new float[] {1, -2, 3.5f, Float.MIN_VALUE, -0f, 1e30f}));
        tensors.put("scalar", new Tensor(new long[] {}, new float[] {42}));
        tensors.put("empty", new Tensor(new long[] {0, 4}, new float[0]));
        tensors.put("ünïcode \"name\"", new Tensor(new long[] {1}, new float[] {Float.NaN}));
        return tensors;
    }

    @Test
    void roundTrip() throws IOException {
        Path file = dir.resolve("cache.safetensors");
        LinkedHashMap<String, Tensor> tensors = sample();
        SafetensorsWriter.write(file, tensors, Map.of("prompt", "The pet", "jlens", "0.1.0"));
        try (Checkpoint c = Checkpoint.open(file)) {
            assertThat(c).isInstanceOf(SafetensorsFile.class);
            assertThat(((SafetensorsFile) c).metadata()).isEqualTo(Map.of("prompt", "The pet", "jlens", "0.1.0"));
            assertThat(c.names()).containsExactlyInAnyOrderElementsOf(tensors.keySet());
            for (Map.Entry<String, Tensor> t : tensors.entrySet()) {
                assertThat(c.info(t.getKey())).isEqualTo(new TensorInfo(t.getKey(), DType.F32, t.getValue().shape()));
                assertThat(c.readFloat32(t.getKey())).isEqualTo(t.getValue().values());
            }
        }
    }

    @Test
    void layoutFollowsTheReferenceImplementation() throws IOException {
        Path file = dir.resolve("cache.safetensors");
        SafetensorsWriter.write(file, sample(), Map.of());
        byte[] bytes = Files.readAllBytes(file);
        long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        assertThat(headerLength % 8).isZero();
        String header = new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8);
        assertThat(header).startsWith("{\"cache/blocks.0.hook_resid_pre\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}")
                .doesNotContain("__metadata__");
        assertThat(header.stripTrailing()).endsWith("}");
        assertThat(header.substring(header.stripTrailing().length())).matches(" *");
        // Data follows the header back to back: 6 + 1 + 0 + 1 floats.
        assertThat(bytes).hasSize((int) (8 + headerLength + 8 * 4));
    }

    @Test
    void replacesAnExistingFile() throws IOException {
        Path file = dir.resolve("cache.safetensors");
        Files.writeString(file, "old contents");
        SafetensorsWriter.write(file, sample(), Map.of());
        try (Checkpoint c = Checkpoint.open(file)) {
            assertThat(c.readFloat32("scalar")).containsExactly(42);
        }
        assertThat(filesIn(dir)).containsExactly("cache.safetensors");
    }

    @Test
    void invalidTensorsLeaveNoFileAndKeepTheOldOne() throws IOException {
        Path file = dir.resolve("cache.safetensors");
        LinkedHashMap<String, Tensor> tensors = sample();
        tensors.put("wrong", new Tensor(new long[] {2, 2}, new float[3]));
        assertThatThrownBy(() -> SafetensorsWriter.write(file, tensors, Map.of()))
                .isExactlyInstanceOf(JlensException.class)
                .hasMessage("cache.safetensors: cannot write tensor 'wrong': shape [2, 2] has 4 elements but 3 values were given");
        assertThat(filesIn(dir)).isEmpty();

        Files.writeString(file, "old contents");
        LinkedHashMap<String, Tensor> reserved = new LinkedHashMap<>(Map.of("__metadata__", new Tensor(new long[] {1}, new float[1])));
        assertThatThrownBy(() -> SafetensorsWriter.write(file, reserved, Map.of()))
                .hasMessage("cache.safetensors: cannot write tensor '__metadata__': the name is reserved for metadata");
        LinkedHashMap<String, Tensor> negative = new LinkedHashMap<>(Map.of("n", new Tensor(new long[] {-1}, new float[0])));
        assertThatThrownBy(() -> SafetensorsWriter.write(file, negative, Map.of()))
                .hasMessage("cache.safetensors: cannot write tensor 'n': negative dimension in shape [-1]");
        assertThat(Files.readString(file)).isEqualTo("old contents");
        assertThat(filesIn(dir)).containsExactly("cache.safetensors");
    }

    @Test
    void failedMoveLeavesNoTemporaryFileBehind() throws IOException {
        // The target is a non-empty directory: refused before a byte is written (AtomicFileTest makes the move itself fail).
        Path target = dir.resolve("cache.safetensors");
        Files.createDirectory(target);
        Files.writeString(target.resolve("keep"), "x");
        assertThatThrownBy(() -> SafetensorsWriter.write(target, sample(), Map.of()))
                .isExactlyInstanceOf(JlensException.class)
                .hasMessage(target + ": is a folder; give the name of a file to write");
        assertThat(filesIn(dir)).containsExactly("cache.safetensors");
        assertThat(filesIn(target)).containsExactly("keep");
    }

    @Test
    void missingDirectoryIsReported() {
        Path target = dir.resolve("no/such/dir/x.safetensors");
        assertThatThrownBy(() -> SafetensorsWriter.write(target, sample(), Map.of()))
                .isExactlyInstanceOf(JlensException.class)
                .hasMessage(target + ": cannot be written (folder " + target.getParent() + " does not exist)");
    }

    private static java.util.List<String> filesIn(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
