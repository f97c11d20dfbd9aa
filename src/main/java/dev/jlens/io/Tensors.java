package dev.jlens.io;

import dev.jlens.util.Text;

import dev.jlens.JlensException;

/** Checks and messages that every checkpoint format shares. */
final class Tensors {

    private Tensors() {
    }

    /** The tensor's element count as an array length, or a clear error if a float[] cannot hold it. */
    static int arrayLength(MappedFile file, TensorInfo info) {
        long numel = info.numel();
        if (numel > Elements.MAX_ARRAY_LENGTH) {
            throw file.error("tensor " + Text.quote(info.name()) + " has " + numel
                    + " elements, more than one Java float array can hold (" + Elements.MAX_ARRAY_LENGTH + ")");
        }
        return (int) numel;
    }

    static JlensException noSuchTensor(MappedFile file, String name, int tensorCount) {
        return file.error("has no tensor " + Text.quote(String.valueOf(name)) + " (it has " + tensorCount + " tensors)");
    }
}
