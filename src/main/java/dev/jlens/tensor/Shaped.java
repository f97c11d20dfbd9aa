package dev.jlens.tensor;

/** What the tensor types share: a shape, read with TransformerLens' negative dimensions. */
public abstract sealed class Shaped permits Tensor, IntTensor {
    /** Owned by the tensor: never handed out without a copy. */
    final int[] shape;

    Shaped(int[] shape) {
        this.shape = shape;
    }

    public final int[] shape() {
        return shape.clone();
    }

    /** Size of one dimension; negative counts from the end. */
    public final int shape(int dim) {
        return shape[Shape.axis(dim, shape.length)];
    }

    public final int rank() {
        return shape.length;
    }
}
