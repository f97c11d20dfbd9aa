package dev.jlens.model;

import dev.jlens.JlensException;
import dev.jlens.io.Checkpoint;
import dev.jlens.tensor.Tensor;

import java.util.Arrays;

/**
 * A checkpoint's tensors by name for an architecture's {@link CheckpointReader}: each read checks the shape
 * config.json implies, and a missing or misshapen tensor is an error naming the file and the tensor.
 */
public final class CheckpointTensors {
    private final Checkpoint ckpt;
    private final String family;
    private final int layers;

    /** {@code family} and {@code layers} only word the messages: "a GPT-NeoX with 6 layers, as config.json says". */
    public CheckpointTensors(Checkpoint ckpt, String family, int layers) {
        this.ckpt = ckpt;
        this.family = family;
        this.layers = layers;
    }

    public boolean has(String key) {
        return ckpt.names().contains(key);
    }

    /** The first of {@code keys} the checkpoint has, or an error naming them all. */
    public String firstPresent(String... keys) {
        for (String k : keys) if (has(k)) return k;
        throw new JlensException(ckpt.file() + ": none of the tensors " + String.join(", ", keys) + " is present; is this a " + family + " checkpoint?");
    }

    /** The tensor {@code key} of exactly this shape. */
    public Tensor read(String key, int... shape) {
        if (!has(key)) {
            throw new JlensException(ckpt.file() + ": tensor '" + key + "' is missing (a " + family + " with " + layers + " layers, as config.json says, needs it)");
        }
        long[] actual = ckpt.info(key).shape();
        if (!Arrays.equals(actual, Arrays.stream(shape).asLongStream().toArray())) {
            throw new JlensException(ckpt.file() + ": tensor '" + key + "' has shape " + Arrays.toString(actual) + " but config.json implies " + Arrays.toString(shape));
        }
        return Tensor.of(ckpt.readFloat32(key), shape);
    }

    /** A linear layer's weight stored [out, in] (PyTorch's nn.Linear), as the kernels' [in, out]. */
    public Tensor readLinear(String key, int out, int in) {
        return read(key, out, in).transpose(0, 1).copy();
    }

    /** A norm weight stored as an offset from 1 (Gemma's), as the scale itself: {@code 1 + w}. */
    public Tensor readOnePlus(String key, int d) {
        Tensor w = read(key, d);
        float[] v = w.data();
        for (int i = 0; i < d; i++) v[w.offset() + i] += 1f;
        return w;
    }
}
