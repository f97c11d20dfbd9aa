package dev.jlens.io;

import java.nio.file.Path;
import java.util.SortedSet;

/**
 * A checkpoint's tensors by name, read on demand from a memory-mapped file. Reading is thread-safe;
 * {@link #close()} releases the mapping, after which nothing can be read.
 *
 * <p>Every problem with the file (missing, truncated, malformed, malicious) surfaces as a one-line
 * {@link dev.jlens.JlensException} that names the file; no other exception type escapes.
 */
public interface Checkpoint extends AutoCloseable {

    /**
     * Opens a safetensors file (or the index of safetensors shards, {@link ShardedCheckpoint#INDEX}), a torch zip checkpoint ({@code torch.save} since 1.6) or a legacy torch
     * pickle checkpoint, chosen by the file's content rather than its name. Headers and pickles are
     * validated here, so a checkpoint that opens only fails later if the file changes underneath.
     */
    static Checkpoint open(Path file) {
        if (ShardedCheckpoint.isIndex(file)) return ShardedCheckpoint.open(file);
        return MappedFile.open(file).parse(mapped -> switch (CheckpointFormat.of(mapped.bytes())) {
            case SAFETENSORS -> new SafetensorsFile(mapped);
            case TORCH_ZIP -> TorchCheckpoint.fromZip(mapped);
            case TORCH_LEGACY -> TorchCheckpoint.fromLegacyPickles(mapped);
        });
    }

    Path file();

    /** All tensor names, sorted. */
    SortedSet<String> names();

    /** The tensor's dtype and shape; a JlensException naming the file and tensor if there is none. */
    TensorInfo info(String name);

    /** The tensor's values in logical row-major order, converted to float32, in a fresh array. */
    float[] readFloat32(String name);

    /** Releases the mapped memory; idempotent. */
    @Override
    void close();
}
