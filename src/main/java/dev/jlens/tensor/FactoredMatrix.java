package dev.jlens.tensor;

import dev.jlens.tensor.Decompositions.Svd;

import java.util.Arrays;

/**
 * TransformerLens' {@code FactoredMatrix}: the matrix {@code A @ B} kept as its two factors A [..., l, m] and
 * B [..., m, r], so that a d_model x d_model circuit of rank d_head ({@code model.OV()}, {@code model.QK()})
 * costs d_model x d_head to store and its SVD, norm and eigenvalues cost only an m x m decomposition.
 * Leading dimensions broadcast; {@link #get} indexes them.
 *
 * <p>Immutable in use: every operation returns a new matrix, and the SVD is computed once, on first use.
 * The factors are held as given (not copied) and {@link #A()}/{@link #B()} return them, so do not write into
 * them.
 */
public final class FactoredMatrix {
    /** The two factors, as TransformerLens' {@code pair}. */
    public record Pair(Tensor A, Tensor B) {}

    private final Tensor a, b;
    private final int[] shape;
    private volatile Svd svd;

    /** {@code A @ B} for A [..., l, m] and B [..., m, r]; the leading dimensions broadcast. */
    public FactoredMatrix(Tensor a, Tensor b) {
        if (a.rank() < 2 || b.rank() < 2) {
            throw new IllegalArgumentException("FactoredMatrix needs matrices, shapes were a: " + Shape.str(a.shape()) + ", b: " + Shape.str(b.shape()));
        }
        if (a.shape(-1) != b.shape(-2)) {
            throw new IllegalArgumentException("Factored matrix must match on inner dimension, shapes were a: " + Shape.str(a.shape()) + ", b: " + Shape.str(b.shape()));
        }
        int l = a.shape(-2), m = a.shape(-1), r = b.shape(-1);
        int[] lead;
        try {
            lead = Shape.broadcast(leading(a.shape()), leading(b.shape()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Shape mismatch: Cannot broadcast leading dimensions. A has shape " + Shape.str(a.shape()) + ", B has shape " + Shape.str(b.shape()), e);
        }
        this.shape = append(lead, l, r);
        this.a = a.broadcastTo(append(lead, l, m));
        this.b = b.broadcastTo(append(lead, m, r));
    }

    // ---- shape ---------------------------------------------------------------------------------------

    /** Leading dimensions, then (ldim, rdim). */
    public int[] shape() {
        return shape.clone();
    }

    public int ndim() {
        return shape.length;
    }

    public int ldim() {
        return a.shape(-2);
    }

    public int mdim() {
        return a.shape(-1);
    }

    public int rdim() {
        return b.shape(-1);
    }

    public Tensor A() {
        return a;
    }

    public Tensor B() {
        return b;
    }

    public Pair pair() {
        return new Pair(a, b);
    }

    // ---- products ------------------------------------------------------------------------------------

    /** The full product [..., l, r]: the expensive one. */
    public Tensor AB() {
        return a.matmul(b);
    }

    /** The reverse product B @ A [..., m, m]; needs l == r. */
    public Tensor BA() {
        if (ldim() != rdim()) throw new IllegalArgumentException("Can only take BA if ldim==rdim, shapes were self: " + Shape.str(shape));
        return b.matmul(a);
    }

    /** The transpose, {@code FM(Bᵀ, Aᵀ)}. */
    public FactoredMatrix T() {
        return new FactoredMatrix(b.mT(), a.mT());
    }

    /**
     * {@code this @ matrix} for a matrix [..., r, n]: the factor on the cheaper side absorbs it, as
     * TransformerLens does: {@code FM(A, B @ X)} when r > m, else {@code FM(AB, X)}. For a vector use
     * {@link #matmulVector}.
     */
    public FactoredMatrix matmul(Tensor matrix) {
        if (matrix.rank() < 2) throw new IllegalArgumentException("matmul with a vector returns a vector: use matmulVector");
        if (matrix.shape(-2) != rdim()) {
            throw new IllegalArgumentException("Right matrix must match on inner dimension, shapes were self: " + Shape.str(shape) + ", other: " + Shape.str(matrix.shape()));
        }
        return rdim() > mdim() ? new FactoredMatrix(a, b.matmul(matrix)) : new FactoredMatrix(AB(), matrix);
    }

    /** {@code this @ v} for a vector v [r]: {@code A @ (B @ v)}, a tensor [..., l]. */
    public Tensor matmulVector(Tensor v) {
        if (v.rank() != 1) throw new IllegalArgumentException("matmulVector needs a vector, got shape " + Shape.str(v.shape()));
        return a.matmul(b.matmul(v.unsqueeze(-1))).squeeze(-1);
    }

    /** {@code this @ other} = {@code (this @ other.A) @ other.B}. */
    public FactoredMatrix matmul(FactoredMatrix other) {
        return matmul(other.a).matmul(other.b);
    }

    /**
     * {@code matrix @ this} for a matrix [..., n, l]: {@code FM(X @ A, B)} when l > m, else {@code FM(X, AB)}.
     * For a vector use {@link #leftMatmulVector}.
     */
    public FactoredMatrix leftMatmul(Tensor matrix) {
        if (matrix.rank() < 2) throw new IllegalArgumentException("leftMatmul with a vector returns a vector: use leftMatmulVector");
        checkLeft(matrix);
        return ldim() > mdim() ? new FactoredMatrix(matrix.matmul(a), b) : new FactoredMatrix(matrix, AB());
    }

    /** {@code v @ this} for a vector v [l]: {@code (v @ A) @ B}, a tensor [..., r]. */
    public Tensor leftMatmulVector(Tensor v) {
        if (v.rank() != 1) throw new IllegalArgumentException("leftMatmulVector needs a vector, got shape " + Shape.str(v.shape()));
        checkLeft(v);
        return v.unsqueeze(-2).matmul(a).matmul(b).squeeze(-2);
    }

    private void checkLeft(Tensor x) {
        if (x.shape(-1) != ldim()) {
            throw new IllegalArgumentException("Left matrix must match on inner dimension, shapes were self: " + Shape.str(shape) + ", other: " + Shape.str(x.shape()));
        }
    }

    /** Scalar multiple {@code FM(A * s, B)}. */
    public FactoredMatrix times(float s) {
        return new FactoredMatrix(a.mul(s), b);
    }

    // ---- spectral ------------------------------------------------------------------------------------

    /**
     * {@code AB = U diag(S) Vᵀ} with U [..., l, k], S [..., k] descending, V [..., r, k], k = min(l, m, r),
     * computed as TransformerLens does: SVDs of A and B, then of the small core
     * {@code diag(Sa) Vaᵀ Ub diag(Sb)}. V is V (TransformerLens 2 calls it {@code Vh}).
     */
    public Svd svd() {
        Svd s = svd;
        if (s == null) {
            Svd sa = Decompositions.svd(a), sb = Decompositions.svd(b);
            Tensor core = sa.S().unsqueeze(-1).mul(sa.V().mT()).matmul(sb.U()).mul(sb.S().unsqueeze(-2));
            Svd sc = Decompositions.svd(core);
            svd = s = new Svd(sa.U().matmul(sc.U()), sc.S(), sb.V().matmul(sc.V()));
        }
        return s;
    }

    public Tensor U() {
        return svd().U();
    }

    public Tensor S() {
        return svd().S();
    }

    public Tensor V() {
        return svd().V();
    }

    /**
     * Eigenvalues of BA [..., m] (those of AB are these plus l - m zeros), needing l == r. Sorted by
     * descending real then imaginary part; see {@link Decompositions#eigenvalues} for why not LAPACK's order.
     */
    public ComplexTensor eigenvalues() {
        return Decompositions.eigenvalues(BA());
    }

    /** Frobenius norm [...], from the singular values: {@code sqrt(Σ S²)}. */
    public Tensor norm() {
        Tensor s = S();
        return s.mul(s).sum(-1).sqrt();
    }

    /** The same matrix as {@code FM(U √S, √S Vᵀ)}: both halves carry half of each singular value. */
    public FactoredMatrix makeEven() {
        Tensor root = S().sqrt();
        return new FactoredMatrix(U().mul(root.unsqueeze(-2)), root.unsqueeze(-1).mul(V().mT()));
    }

    /** {@code S Vᵀ} [..., k, r]: the matrix with the left orthogonal factor U removed. */
    public Tensor collapseL() {
        return S().unsqueeze(-1).mul(V().mT());
    }

    /** {@code U S} [..., l, k]: the matrix with the right orthogonal factor Vᵀ removed. */
    public Tensor collapseR() {
        return U().mul(S().unsqueeze(-2));
    }

    // ---- indexing ------------------------------------------------------------------------------------

    /**
     * Indexes the leading dimensions: {@code model.OV().get(l, h)} is head h of layer l, a (d_model, d_model)
     * matrix. One index beyond them picks a row of A (kept as a length-1 dimension), two pick a row of A and
     * a column of B, as in TransformerLens 3 (negative positions count from the end).
     */
    public FactoredMatrix get(int... index) {
        int lead = shape.length - 2;
        if (index.length > shape.length) {
            throw new IllegalArgumentException(Arrays.toString(index) + " is too long an index for a FactoredMatrix with shape " + Shape.str(shape));
        }
        if (index.length == 0) return this;
        Object[] leadIdx = Arrays.stream(index).limit(lead).boxed().toArray();
        if (index.length <= lead) return new FactoredMatrix(a.get(leadIdx), b.get(leadIdx));
        Object[] rows = append(leadIdx, oneOf(index[lead], ldim()), ":");
        if (index.length == lead + 1) return new FactoredMatrix(a.get(rows), b.get(leadIdx));
        return new FactoredMatrix(a.get(rows), b.get(append(leadIdx, ":", oneOf(index[lead + 1], rdim()))));
    }

    /** A length-1 range at position i (negative counts from the end). */
    private static Index.Range oneOf(int i, int size) {
        int at = i < 0 ? i + size : i;
        if (at < 0 || at >= size) throw new IndexOutOfBoundsException("index " + i + " is out of bounds for size " + size);
        return Index.range(at, at + 1);
    }

    /** A new leading dimension of size 1 at position k (0 <= k <= number of leading dimensions). */
    public FactoredMatrix unsqueeze(int k) {
        if (k < 0 || k > shape.length - 2) {
            throw new IllegalArgumentException("unsqueeze(" + k + "): a new dimension must go among the " + (shape.length - 2) + " leading ones");
        }
        return new FactoredMatrix(a.unsqueeze(k), b.unsqueeze(k));
    }

    /** The top-left k x k x ... corner of the product, computed from k rows of A and k columns of B only. */
    public Tensor getCorner(int k) {
        Index.Range first = Index.range(null, k);
        Tensor corner = a.get("...", first, ":").matmul(b.get("...", ":", first));
        Object[] all = new Object[corner.rank()];
        Arrays.fill(all, first);
        return corner.get(all);
    }

    /** {@link #getCorner(int)} with TransformerLens' default k = 3. */
    public Tensor getCorner() {
        return getCorner(3);
    }

    /** TransformerLens' repr: {@code FactoredMatrix: Shape(torch.Size([12, 12, 768, 768])), Hidden Dim(64)}. */
    @Override
    public String toString() {
        return "FactoredMatrix: Shape(torch.Size(" + Shape.str(shape) + ")), Hidden Dim(" + mdim() + ")";
    }

    private static int[] leading(int[] s) {
        return Arrays.copyOf(s, s.length - 2);
    }

    private static int[] append(int[] lead, int x, int y) {
        int[] out = Arrays.copyOf(lead, lead.length + 2);
        out[lead.length] = x;
        out[lead.length + 1] = y;
        return out;
    }

    private static Object[] append(Object[] lead, Object x, Object y) {
        Object[] out = Arrays.copyOf(lead, lead.length + 2);
        out[lead.length] = x;
        out[lead.length + 1] = y;
        return out;
    }
}
