package dev.jlens.io;

import java.nio.file.Path;
import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeMap;

/**
 * A checkpoint read in place from a mapped file: its tensors by name, each copied out as floats when asked
 * for. The formats differ only in where a tensor's bytes are and how they are laid out ({@link #read}).
 *
 * @param <E> what the format knows of one tensor
 */
public abstract sealed class MappedCheckpoint<E extends MappedCheckpoint.Stored> implements Checkpoint permits SafetensorsFile, TorchCheckpoint {
    final MappedFile file;
    /** Filled by the format's constructor. */
    final TreeMap<String, E> byName = new TreeMap<>();

    MappedCheckpoint(MappedFile file) {
        this.file = file;
    }

    /** What a format knows of one of its tensors: at least its dtype and shape. */
    interface Stored {
        TensorInfo info();
    }

    /** The tensor's {@code count} values, converted to float32; may fail on a file changed underneath. */
    abstract float[] read(E entry, TensorInfo info, int count);

    @Override
    public final Path file() {
        return file.path();
    }

    @Override
    public final SortedSet<String> names() {
        return Collections.unmodifiableSortedSet(byName.navigableKeySet());
    }

    @Override
    public final TensorInfo info(String name) {
        return entry(name).info();
    }

    @Override
    public final float[] readFloat32(String name) {
        E entry = entry(name);
        TensorInfo info = entry.info();
        int count = Tensors.arrayLength(file, info);
        file.ensureOpen();
        try {
            return read(entry, info, count);
        } catch (Throwable t) {
            throw file.asJlensException(t);
        }
    }

    @Override
    public final void close() {
        file.close();
    }

    private E entry(String name) {
        E entry = byName.get(name);
        if (entry == null) throw Tensors.noSuchTensor(file, name, byName.size());
        return entry;
    }
}
