package dev.jlens.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlens.Fixtures;
import dev.jlens.io.Checkpoint;
import dev.jlens.io.SafetensorsWriter;
import dev.jlens.tensor.IntTensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SequencedMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint stored in bfloat16 (as Llama's, Gemma-2's and Pythia's often are) is read into float32 and computed in
 * float32: its model gives the very logits of the same weights written as float32 (each bfloat16 value widened
 * exactly), so nothing is computed at bfloat16's precision.
 */
class Bf16CheckpointTest {
    @TempDir
    Path temp;

    @Test
    void aBf16CheckpointComputesAsItsFloat32Widening() throws IOException {
        Path source = Fixtures.modelDir("a");
        Path bf16 = copyWithoutWeights(source, "bf16");
        Path f32 = copyWithoutWeights(source, "f32");
        SequencedMap<String, SafetensorsWriter.Tensor> widened = new LinkedHashMap<>();
        SequencedMap<String, short[]> halves = new LinkedHashMap<>();
        try (Checkpoint ckpt = Checkpoint.open(source.resolve("model.safetensors"))) {
            for (String name : ckpt.names()) {
                float[] values = ckpt.readFloat32(name);
                short[] high = new short[values.length];
                float[] back = new float[values.length];
                for (int i = 0; i < values.length; i++) {
                    // Round to nearest even, as torch's .to(torch.bfloat16).
                    int bits = Float.floatToRawIntBits(values[i]);
                    int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);
                    high[i] = (short) (rounded >>> 16);
                    back[i] = Float.intBitsToFloat((high[i] & 0xFFFF) << 16);
                }
                widened.put(name, new SafetensorsWriter.Tensor(ckpt.info(name).shape(), back));
                halves.put(name, high);
            }
        }
        SafetensorsWriter.write(f32.resolve("model.safetensors"), widened, Map.of("format", "pt"));
        writeBf16(bf16.resolve("model.safetensors"), widened, halves);
        try (Checkpoint ckpt = Checkpoint.open(bf16.resolve("model.safetensors"))) {
            assertThat(ckpt.info(ckpt.names().first()).dtype().toString()).isEqualTo("BF16");
        }

        IntTensor tokens = IntTensor.of(new int[] {50256, 464, 3290, 318, 257, 922, 1110, 13}, 1, 8);
        float[] fromBf16 = HookedTransformer.fromFolder(bf16).forward(tokens).toArray();
        float[] fromF32 = HookedTransformer.fromFolder(f32).forward(tokens).toArray();
        assertThat(fromBf16).containsExactly(fromF32);
    }

    private Path copyWithoutWeights(Path source, String name) throws IOException {
        Path folder = Files.createDirectories(temp.resolve(name));
        try (Stream<Path> files = Files.list(source)) {
            for (Path f : files.toList()) {
                String file = f.getFileName().toString();
                if (Files.isRegularFile(f) && !file.equals("model.safetensors") && !file.equals("pytorch_model.bin")) {
                    Files.copy(f, folder.resolve(file));
                }
            }
        }
        return folder;
    }

    /** A safetensors file of BF16 tensors: the 8-byte header length, the JSON header, the little-endian halves. */
    private static void writeBf16(Path file, SequencedMap<String, SafetensorsWriter.Tensor> shapes, SequencedMap<String, short[]> halves)
            throws IOException {
        StringBuilder header = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long offset = 0;
        for (var e : halves.entrySet()) {
            long[] shape = shapes.get(e.getKey()).shape();
            StringBuilder dims = new StringBuilder();
            for (long d : shape) dims.append(dims.isEmpty() ? "" : ",").append(d);
            long end = offset + 2L * e.getValue().length;
            header.append(",\"").append(e.getKey()).append("\":{\"dtype\":\"BF16\",\"shape\":[").append(dims)
                    .append("],\"data_offsets\":[").append(offset).append(",").append(end).append("]}");
            offset = end;
        }
        header.append("}");
        while ((header.length() + 8) % 8 != 0) header.append(' ');
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
        out.writeBytes(json);
        for (short[] values : halves.values()) {
            ByteBuffer b = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
            for (short v : values) b.putShort(v);
            out.writeBytes(b.array());
        }
        Files.write(file, out.toByteArray());
    }
}
