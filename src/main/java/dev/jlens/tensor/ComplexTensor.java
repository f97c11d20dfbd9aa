package dev.jlens.tensor;

import java.util.Arrays;

/** A complex tensor as two float32 tensors of one shape: what {@code torch.linalg.eig} returns (complex64). */
public record ComplexTensor(Tensor real, Tensor imag) {
    public ComplexTensor {
        if (!Arrays.equals(real.shape(), imag.shape())) {
            throw new IllegalArgumentException("real and imaginary parts differ in shape: " + Shape.str(real.shape()) + " and " + Shape.str(imag.shape()));
        }
    }

    public int[] shape() {
        return real.shape();
    }

    /** Elementwise modulus |z|. */
    public Tensor abs() {
        float[] re = real.toArray(), im = imag.toArray(), out = new float[re.length];
        for (int i = 0; i < out.length; i++) out[i] = (float) Math.hypot(re[i], im[i]);
        return Tensor.of(out, real.shape());
    }
}
