package dev.jlens.model;

import dev.jlens.tensor.FactoredMatrix;
import dev.jlens.tensor.PackedMatrix;
import dev.jlens.tensor.Shape;
import dev.jlens.tensor.Tensor;

import java.util.Arrays;

/**
 * Composition scores (Elhage et al., "A Mathematical Framework for Transformer Circuits"): how much of what
 * one head writes a later head reads, {@code ‖L R‖_F / (‖L‖_F ‖R‖_F)} with {@code L = left.collapseL()},
 * {@code R = right.collapseR()} (TransformerLens' {@code utils.composition_scores} and
 * {@code model.all_composition_scores}).
 */
public final class CompositionScores {
    private CompositionScores() {}

    /** The score of two single matrices (no leading dimensions), left.rdim == right.ldim. */
    public static float compositionScore(FactoredMatrix left, FactoredMatrix right) {
        if (left.ndim() != 2 || right.ndim() != 2) {
            throw new IllegalArgumentException("compositionScore takes single matrices; use compositionScores for " + Shape.str(left.shape()) + " and " + Shape.str(right.shape()));
        }
        return compositionScores(left, right).item();
    }

    /**
     * Scores of every left matrix with every right one: shape = left's leading dimensions, then right's
     * ({@code broadcast_dims=True}).
     */
    public static Tensor compositionScores(FactoredMatrix left, FactoredMatrix right) {
        checkInner(left, right);
        int[] ll = leading(left), rl = leading(right);
        Tensor lefts = flatLeading(left.collapseL()), rights = flatLeading(right.collapseR());
        double[][] products = productNorms(lefts, rights);
        double[] lNorms = norms(lefts), rNorms = norms(rights);
        float[] out = new float[lNorms.length * rNorms.length];
        for (int i = 0; i < lNorms.length; i++) {
            for (int j = 0; j < rNorms.length; j++) out[i * rNorms.length + j] = (float) (products[i][j] / rNorms[j] / lNorms[i]);
        }
        int[] shape = Arrays.copyOf(ll, ll.length + rl.length);
        System.arraycopy(rl, 0, shape, ll.length, rl.length);
        return Tensor.of(out, shape);
    }

    /**
     * {@code model.all_composition_scores(mode)} [L1, H1, L2, H2]: left is the OV circuit of head (l1, h1),
     * right is of head (l2, h2) the QK circuit (mode "Q": the later head's query reads the residual
     * stream), its transpose {@code QK.T} (mode "K": the key reads it) or its OV circuit (mode "V"). Entries
     * with l1 >= l2 are 0 (a head cannot compose with one in its own or an earlier layer) and are not
     * computed at all.
     */
    public static Tensor allCompositionScores(HookedTransformer model, String mode) {
        FactoredMatrix left = model.OV();
        FactoredMatrix right = switch (mode) {
            case "Q" -> model.QK();
            case "K" -> model.QK().T();
            case "V" -> left;  // the same circuits: one SVD serves both sides
            default -> throw new IllegalArgumentException("mode must be one of ['Q', 'K', 'V'] not " + mode);
        };
        return laterLayers(left, right);
    }

    /** Scores for left [L, H, ...] and right [L, H, ...] where the right layer is later; zero elsewhere. */
    private static Tensor laterLayers(FactoredMatrix left, FactoredMatrix right) {
        checkInner(left, right);
        int layers = left.shape()[0], heads = left.shape()[1];
        Tensor lefts = flatLeading(left.collapseL()), rights = flatLeading(right.collapseR());
        double[] lNorms = norms(lefts), rNorms = norms(rights);
        int perLayer = heads, total = layers * heads;
        float[] out = new float[total * total];
        for (int l1 = 0; l1 < layers - 1; l1++) {
            int firstRight = (l1 + 1) * perLayer;
            Tensor ls = lefts.narrowFirst(l1 * perLayer, perLayer), rs = rights.narrowFirst(firstRight, total - firstRight);
            double[][] products = productNorms(ls, rs);
            for (int h1 = 0; h1 < heads; h1++) {
                int i = l1 * perLayer + h1;
                for (int j = firstRight; j < total; j++) {
                    out[i * total + j] = (float) (products[h1][j - firstRight] / rNorms[j] / lNorms[i]);
                }
            }
        }
        return Tensor.of(out, layers, heads, layers, heads);
    }

    /**
     * {@code ‖lefts[i] @ rights[j]‖_F} for lefts [P, k1, m] and rights [Q, m, k2]: the rights are packed side by
     * side once as one [m, Q·k2] matrix, so each left takes a single product with all of them.
     */
    private static double[][] productNorms(Tensor lefts, Tensor rights) {
        int p = lefts.shape(0), k1 = lefts.shape(1), m = lefts.shape(2), q = rights.shape(0), k2 = rights.shape(2);
        PackedMatrix side = PackedMatrix.pack(rights.permute(1, 0, 2).reshape(m, q * k2));
        float[] product = new float[k1 * q * k2];
        double[][] out = new double[p][q];
        for (int i = 0; i < p; i++) {
            side.multiply(lefts.data(), lefts.offset() + i * k1 * m, k1, null, product, 0);
            for (int j = 0; j < q; j++) {
                double sq = 0;
                for (int r = 0; r < k1; r++) {
                    for (int c = j * k2; c < (j + 1) * k2; c++) sq += (double) product[r * q * k2 + c] * product[r * q * k2 + c];
                }
                out[i][j] = Math.sqrt(sq);
            }
        }
        return out;
    }

    /** Frobenius norm of each matrix of [P, x, y]. */
    private static double[] norms(Tensor matrices) {
        double[] out = new double[matrices.shape(0)];
        for (int i = 0; i < out.length; i++) out[i] = matrices.get(i).norm();
        return out;
    }

    private static void checkInner(FactoredMatrix left, FactoredMatrix right) {
        if (left.rdim() != right.ldim()) {
            throw new IllegalArgumentException("Composition scores require left.rdim==right.ldim, shapes were left: " + Shape.str(left.shape()) + ", right: " + Shape.str(right.shape()));
        }
    }

    private static int[] leading(FactoredMatrix fm) {
        return Arrays.copyOf(fm.shape(), fm.ndim() - 2);
    }

    /** [..., x, y] as [P, x, y]. */
    private static Tensor flatLeading(Tensor t) {
        return t.reshape(-1, t.shape(-2), t.shape(-1));
    }
}
