package dev.jlens.io;

import java.nio.file.Path;
import java.util.SortedSet;

/** TEMPORARY stub until the io branch lands. */
public interface Checkpoint extends AutoCloseable {
    static Checkpoint open(Path file) {
        throw new UnsupportedOperationException("stub");
    }

    Path file();

    SortedSet<String> names();

    TensorInfo info(String name);

    float[] readFloat32(String name);

    @Override
    void close();
}
