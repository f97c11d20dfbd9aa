package dev.jlens.io;

import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;

/**
 * A memory-mapped safetensors file (the Hugging Face format). The header is validated when the file
 * is opened; tensor bytes are only touched by {@link #readFloat32}.
 */
public final class SafetensorsFile extends MappedCheckpoint<SafetensorsHeader.Entry> {
    private final SafetensorsHeader header;

    SafetensorsFile(MappedFile file) {
        super(file);
        this.header = SafetensorsHeader.read(file);
        byName.putAll(header.tensors());
    }

    /** Opens {@code file} as safetensors whatever its first bytes look like. */
    public static SafetensorsFile open(Path file) {
        return MappedFile.open(file).parse(SafetensorsFile::new);
    }

    /** The header's {@code __metadata__} (empty if it has none). */
    public Map<String, String> metadata() {
        return Collections.unmodifiableMap(header.metadata());
    }

    @Override
    float[] read(SafetensorsHeader.Entry entry, TensorInfo info, int count) {
        float[] values = Elements.contiguous(file.bytes(), header.dataStart() + entry.begin(), info.dtype(), count);
        file.release(header.dataStart() + entry.begin(), entry.end() - entry.begin());
        return values;
    }
}
