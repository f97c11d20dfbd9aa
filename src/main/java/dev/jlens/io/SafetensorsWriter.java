package dev.jlens.io;

import dev.jlens.util.Text;

import dev.jlens.JlensException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.SequencedMap;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes float32 tensors as a safetensors file that the reference implementation reads: header JSON
 * padded with spaces to a multiple of 8 bytes, data in the order given, each tensor contiguous. The
 * file appears atomically: it is written to a temporary file beside the target and moved into place,
 * so a failure leaves the target as it was and no partial file behind.
 */
public final class SafetensorsWriter {

    /** A tensor to write: its row-major shape and values (not copied). */
    public record Tensor(long[] shape, float[] values) {
        public Tensor {
            Objects.requireNonNull(shape, "shape");
            Objects.requireNonNull(values, "values");
        }
    }

    private static final JsonMapper JSON = JsonMapper.shared();
    private static final int CHUNK_FLOATS = 1 << 18;
    private static final String METADATA_KEY = "__metadata__";

    private SafetensorsWriter() {
    }

    /**
     * Writes {@code tensors} (in their iteration order) and {@code metadata} (the header's
     * {@code __metadata__}, omitted when empty) to {@code file}, replacing any file there.
     */
    public static void write(Path file, SequencedMap<String, Tensor> tensors, Map<String, String> metadata) {
        byte[] header = header(String.valueOf(file.getFileName()), tensors, metadata);
        AtomicFile.write(file, out -> writeTo(out, header, tensors));
    }

    /**
     * Streams the same bytes to {@code out} (standard output, a pipe): not atomic, so a failure part-way leaves
     * a truncated stream, which the reader sees as shorter than its header says.
     */
    public static void write(WritableByteChannel out, SequencedMap<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        writeTo(out, header("-", tensors, metadata), tensors);
    }

    private static void writeTo(WritableByteChannel out, byte[] header, SequencedMap<String, Tensor> tensors) throws IOException {
        AtomicFile.writeFully(out, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length));
        AtomicFile.writeFully(out, ByteBuffer.wrap(header));
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_FLOATS * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (Tensor tensor : tensors.values()) {
            writeFloats(out, tensor.values(), chunk);
        }
    }

    /** The header JSON, validated against the data, padded with spaces to a multiple of 8 bytes. */
    private static byte[] header(String fileName, SequencedMap<String, Tensor> tensors, Map<String, String> metadata) {
        ObjectNode root = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject(METADATA_KEY);
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> item : tensors.entrySet()) {
            String tensorName = item.getKey();
            long[] shape = item.getValue().shape();
            String where = fileName + ": cannot write tensor " + Text.quote(tensorName);
            if (tensorName.equals(METADATA_KEY)) {
                throw new JlensException(where + ": the name is reserved for metadata");
            }
            long numel = numel(shape, where);
            if (numel != item.getValue().values().length) {
                throw new JlensException(where + ": shape " + Arrays.toString(shape) + " has " + numel + " elements but "
                        + item.getValue().values().length + " values were given");
            }
            long end = offset + numel * Float.BYTES;
            ObjectNode entry = root.putObject(tensorName);
            entry.put("dtype", DType.F32.name());
            ArrayNode shapeNode = entry.putArray("shape");
            Arrays.stream(shape).forEach(shapeNode::add);
            entry.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
        byte[] padded = Arrays.copyOf(json, (json.length + 7) / 8 * 8);
        Arrays.fill(padded, json.length, padded.length, (byte) ' ');
        return padded;
    }

    private static long numel(long[] shape, String where) {
        long numel = 1;
        for (long dim : shape) {
            if (dim < 0) {
                throw new JlensException(where + ": negative dimension in shape " + Arrays.toString(shape));
            }
            try {
                numel = Math.multiplyExact(numel, dim);
            } catch (ArithmeticException e) {
                throw new JlensException(where + ": shape " + Arrays.toString(shape) + " is too large");
            }
        }
        return numel;
    }

    private static void writeFloats(WritableByteChannel out, float[] values, ByteBuffer chunk) throws IOException {
        for (int start = 0; start < values.length; start += CHUNK_FLOATS) {
            int count = Math.min(CHUNK_FLOATS, values.length - start);
            chunk.clear();
            chunk.asFloatBuffer().put(values, start, count);
            chunk.limit(count * Float.BYTES);
            AtomicFile.writeFully(out, chunk);
        }
    }
}
