package dev.jlens.io;

import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;

/**
 * A memory-mapped safetensors file (the Hugging Face format). The header is validated when the file
 * is opened; tensor bytes are only touched by {@link #readFloat32}.
 */
public final class SafetensorsFile implements Checkpoint {

    private final MappedFile file;
    private final SafetensorsHeader header;
    private final TreeMap<String, SafetensorsHeader.Entry> byName;

    SafetensorsFile(MappedFile file) {
        this.file = file;
        this.header = SafetensorsHeader.read(file);
        this.byName = new TreeMap<>(header.tensors());
    }

    /** Opens {@code file} as safetensors whatever its first bytes look like. */
    public static SafetensorsFile open(Path file) {
        return MappedFile.open(file).parse(SafetensorsFile::new);
    }

    @Override
    public Path file() {
        return file.path();
    }

    @Override
    public SortedSet<String> names() {
        return Collections.unmodifiableSortedSet(byName.navigableKeySet());
    }

    /** The header's {@code __metadata__} (empty if it has none). */
    public Map<String, String> metadata() {
        return Collections.unmodifiableMap(header.metadata());
    }

    @Override
    public TensorInfo info(String name) {
        return entry(name).info();
    }

    @Override
    public float[] readFloat32(String name) {
        SafetensorsHeader.Entry entry = entry(name);
        TensorInfo info = entry.info();
        int count = Tensors.arrayLength(file, info);
        file.ensureOpen();
        try {
            float[] values = Elements.contiguous(file.bytes(), header.dataStart() + entry.begin(), info.dtype(), count);
            file.release(header.dataStart() + entry.begin(), entry.end() - entry.begin());
            return values;
        } catch (Throwable t) {
            throw file.asJlensException(t);
        }
    }

    @Override
    public void close() {
        file.close();
    }

    private SafetensorsHeader.Entry entry(String name) {
        SafetensorsHeader.Entry entry = byName.get(name);
        if (entry == null) {
            throw Tensors.noSuchTensor(file, name, byName.size());
        }
        return entry;
    }
}
