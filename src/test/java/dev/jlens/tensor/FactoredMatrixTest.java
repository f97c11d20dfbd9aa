package dev.jlens.tensor;

import dev.jlens.testing.RandomCases;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

import static dev.jlens.testing.Matrices.assertClose;
import static dev.jlens.testing.Matrices.assertDescending;
import static dev.jlens.testing.Matrices.assertOrthonormalColumns;
import static dev.jlens.testing.Matrices.eye;
import static dev.jlens.testing.Matrices.randn;
import static dev.jlens.testing.Matrices.recompose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

/** Every FactoredMatrix operation against the explicit product A @ B, on random factors of many shapes. */
class FactoredMatrixTest {
    private static final double ATOL = 1e-4;

    /** Leading dims of A, of B, then l, m, r: broadcasting, l != r, m > l, m < l. */
    private static final int[][][] SHAPES = {
            {{}, {}, {5, 3, 4}},
            {{}, {}, {3, 6, 5}},
            {{2}, {2}, {4, 6, 4}},
            {{3, 1}, {2}, {5, 2, 5}},
            {{}, {2, 3}, {4, 4, 3}},
            {{2}, {}, {3, 5, 7}},
            {{}, {}, {6, 2, 6}},
            {{}, {}, {1, 1, 1}},
    };

    private record Case(FactoredMatrix fm, Tensor product, int l, int m, int r) {}

    private static Case randomCase(Random rnd, int[][] spec) {
        int l = spec[2][0], m = spec[2][1], r = spec[2][2];
        Tensor a = randn(rnd, concat(spec[0], l, m)), b = randn(rnd, concat(spec[1], m, r));
        return new Case(new FactoredMatrix(a, b), explicitProduct(a, b), l, m, r);
    }

    /** A @ B with broadcast leading dims, summed in double: independent of the class under test. */
    private static Tensor explicitProduct(Tensor a, Tensor b) {
        int l = a.shape(-2), m = a.shape(-1), r = b.shape(-1);
        int[] lead = Shape.broadcast(Arrays.copyOf(a.shape(), a.rank() - 2), Arrays.copyOf(b.shape(), b.rank() - 2));
        Tensor ab = a.broadcastTo(concat(lead, l, m)).reshape(-1, l, m), bb = b.broadcastTo(concat(lead, m, r)).reshape(-1, m, r);
        Tensor out = Tensor.zeros(ab.shape(0), l, r);
        for (int n = 0; n < ab.shape(0); n++) {
            for (int i = 0; i < l; i++) {
                for (int j = 0; j < r; j++) {
                    double s = 0;
                    for (int k = 0; k < m; k++) s += (double) ab.item(n, i, k) * bb.item(n, k, j);
                    out.put((float) s, n, i, j);
                }
            }
        }
        return out.reshape(concat(lead, l, r));
    }

    private static int[] concat(int[] lead, int... tail) {
        int[] out = Arrays.copyOf(lead, lead.length + tail.length);
        System.arraycopy(tail, 0, out, lead.length, tail.length);
        return out;
    }

    private static void forEachShape(long seed, Consumer<Case> check) {
        RandomCases.run(seed, 3, rnd -> {
            for (int[][] spec : SHAPES) check.accept(randomCase(rnd, spec));
        });
    }

    @Test
    void shapeAndProducts() {
        forEachShape(1, c -> {
            assertThat(c.fm.shape()).containsExactly(c.product.shape());
            assertThat(c.fm.ldim()).isEqualTo(c.l);
            assertThat(c.fm.mdim()).isEqualTo(c.m);
            assertThat(c.fm.rdim()).isEqualTo(c.r);
            assertThat(c.fm.ndim()).isEqualTo(c.product.rank());
            assertClose("AB", c.fm.AB(), c.product, ATOL);
            assertClose("T", c.fm.T().AB(), c.product.mT(), ATOL);
            assertClose("times", c.fm.times(2.5f).AB(), c.product.mul(2.5f), 3 * ATOL);
            assertThat(c.fm.pair().A()).isSameAs(c.fm.A());
            if (c.l == c.r) assertClose("BA", c.fm.BA(), c.fm.B().matmul(c.fm.A()), 0);
        });
    }

    @Test
    void svdRecomposesTheProductWithOrthonormalFactors() {
        forEachShape(2, c -> {
            Decompositions.Svd svd = c.fm.svd();
            int k = Math.min(c.l, Math.min(c.m, c.r));
            assertThat(svd.S().shape(-1)).isEqualTo(k);
            assertThat(svd.U().shape(-2)).isEqualTo(c.l);
            assertThat(svd.V().shape(-2)).isEqualTo(c.r);
            assertClose("U S Vᵀ", recompose(c.fm.U(), c.fm.S(), c.fm.V()), c.product, ATOL);
            assertOrthonormalColumns("U", c.fm.U(), 1e-5);
            assertOrthonormalColumns("V", c.fm.V(), 1e-5);
            assertDescending("S", c.fm.S());
            // the same singular values as a direct SVD of the product (which has min(l, r) of them)
            Tensor direct = Decompositions.svd(c.product).S().get("...", Index.range(0, k));
            assertClose("S", c.fm.S(), direct, ATOL);
            assertThat(c.fm.svd()).isSameAs(svd);
        });
    }

    @Test
    void normIsTheFrobeniusNormOfTheProduct() {
        forEachShape(3, c -> {
            Tensor norm = c.fm.norm();
            Tensor flat = c.product.reshape(-1, c.l * c.r);
            assertThat(norm.shape()).containsExactly(Arrays.copyOf(c.product.shape(), c.product.rank() - 2));
            for (int i = 0; i < flat.shape(0); i++) {
                assertThat(norm.reshape(-1).item(i)).isCloseTo(flat.get(i).norm(), offset(1e-4f * flat.get(i).norm()));
            }
        });
    }

    @Test
    void eigenvaluesOfBAAreTheNonzeroSpectrumOfAB() {
        forEachShape(4, c -> {
            if (c.l != c.r) {
                assertThatThrownBy(c.fm::eigenvalues).hasMessageContaining("ldim==rdim");
                return;
            }
            ComplexTensor small = c.fm.eigenvalues();
            assertThat(small.real().shape(-1)).isEqualTo(c.m);
            ComplexTensor big = Decompositions.eigenvalues(c.product);
            int n = Math.max(c.l, c.m);
            int batches = small.real().size() / c.m;
            for (int b = 0; b < batches; b++) {
                // pad both spectra with zeros to max(l, m) and match them as multisets
                List<double[]> x = spectrum(small, b, c.m, n), y = spectrum(big, b, c.l, n);
                assertSameMultiset(x, y, 1e-3);
            }
        });
    }

    private static List<double[]> spectrum(ComplexTensor e, int batch, int count, int padTo) {
        List<double[]> out = new ArrayList<>();
        float[] re = e.real().toArray(), im = e.imag().toArray();
        for (int i = 0; i < count; i++) out.add(new double[] {re[batch * count + i], im[batch * count + i]});
        while (out.size() < padTo) out.add(new double[] {0, 0});
        return out;
    }

    private static void assertSameMultiset(List<double[]> x, List<double[]> y, double tol) {
        List<double[]> rest = new ArrayList<>(y);
        for (double[] z : x) {
            double[] best = rest.stream().min(Comparator.comparingDouble(w -> Math.hypot(w[0] - z[0], w[1] - z[1]))).orElseThrow();
            assertThat(Math.hypot(best[0] - z[0], best[1] - z[1])).as("eigenvalue %s+%si", z[0], z[1]).isLessThan(tol * Math.max(1, Math.hypot(z[0], z[1])));
            rest.remove(best);
        }
    }

    @Test
    void collapseAndMakeEvenKeepTheProduct() {
        forEachShape(5, c -> {
            assertClose("U collapseL", c.fm.U().matmul(c.fm.collapseL()), c.product, ATOL);
            assertClose("collapseR Vᵀ", c.fm.collapseR().matmul(c.fm.V().mT()), c.product, ATOL);
            FactoredMatrix even = c.fm.makeEven();
            assertClose("even AB", even.AB(), c.product, ATOL);
            // each half carries √S: AᵀA = BBᵀ = diag(S)
            Tensor diag = c.fm.S().unsqueeze(-1).mul(eye(c.fm.S().shape(-1)));
            assertClose("AᵀA", even.A().mT().matmul(even.A()), diag, ATOL);
            assertClose("BBᵀ", even.B().matmul(even.B().mT()), diag, ATOL);
        });
    }

    @Test
    void matmulFollowsTransformerLensRules() {
        forEachShape(6, c -> {
            Random rnd = new Random(c.l * 31L + c.m * 7L + c.r);
            Tensor x = randn(rnd, c.r, 3), v = randn(rnd, c.r), y = randn(rnd, 2, c.l), w = randn(rnd, c.l);
            FactoredMatrix right = c.fm.matmul(x);
            assertClose("FM @ X", right.AB(), c.product.matmul(x), ATOL);
            // the cheaper side absorbs X: B when r > m, else the product becomes A
            assertThat(right.mdim()).isEqualTo(c.r > c.m ? c.m : c.r);
            assertClose("FM @ v", c.fm.matmulVector(v), c.product.matmul(v), ATOL);
            FactoredMatrix left = c.fm.leftMatmul(y);
            assertClose("Y @ FM", left.AB(), y.matmul(c.product), ATOL);
            assertThat(left.mdim()).isEqualTo(c.l > c.m ? c.m : c.l);
            assertClose("w @ FM", c.fm.leftMatmulVector(w), w.matmul(c.product), ATOL);
            FactoredMatrix other = new FactoredMatrix(randn(rnd, c.r, 2), randn(rnd, 2, 4));
            assertClose("FM @ FM", c.fm.matmul(other).AB(), c.product.matmul(other.AB()), 3 * ATOL);
            assertThatThrownBy(() -> c.fm.matmul(randn(rnd, c.r + 1, 2))).hasMessageContaining("inner dimension");
            assertThatThrownBy(() -> c.fm.matmul(v)).hasMessageContaining("matmulVector");
        });
    }

    @Test
    void indexingSelectsLeadingDimsThenRowsAndColumns() {
        Random rnd = new Random(7);
        Tensor a = randn(rnd, 3, 2, 5, 4), b = randn(rnd, 2, 4, 6);
        FactoredMatrix fm = new FactoredMatrix(a, b);
        Tensor product = explicitProduct(a, b);
        assertClose("fm[2]", fm.get(2).AB(), product.get(2), ATOL);
        assertClose("fm[-1, 1]", fm.get(-1, 1).AB(), product.get(2, 1), ATOL);
        assertThat(fm.get(1, 0).mdim()).isEqualTo(4);
        FactoredMatrix row = fm.get(0, 1, -1);
        assertThat(row.shape()).containsExactly(1, 6);
        assertClose("fm[0, 1, -1]", row.AB(), product.get(0, 1, Index.range(4, 5), ":"), ATOL);
        FactoredMatrix entry = fm.get(0, 1, 2, 3);
        assertThat(entry.shape()).containsExactly(1, 1);
        assertThat(entry.AB().item()).isCloseTo(product.item(0, 1, 2, 3), offset(1e-4f));
        assertThatThrownBy(() -> fm.get(0, 0, 0, 0, 0)).hasMessageContaining("too long an index");
        assertThatThrownBy(() -> fm.get(0, 0, 5)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void unsqueezeCornerAndRepr() {
        Random rnd = new Random(8);
        Tensor a = randn(rnd, 2, 5, 4), b = randn(rnd, 4, 6);
        FactoredMatrix fm = new FactoredMatrix(a, b);
        Tensor product = explicitProduct(a, b);
        assertThat(fm.unsqueeze(0).shape()).containsExactly(1, 2, 5, 6);
        assertThat(fm.unsqueeze(1).shape()).containsExactly(2, 1, 5, 6);
        assertClose("unsqueeze", fm.unsqueeze(1).AB(), product.unsqueeze(1), ATOL);
        assertThatThrownBy(() -> fm.unsqueeze(2)).isInstanceOf(IllegalArgumentException.class);
        assertClose("corner", fm.getCorner(), product.get(":3, :3, :3"), ATOL);
        assertClose("corner 2", fm.getCorner(2), product.get(":2, :2, :2"), ATOL);
        assertThat(fm).hasToString("FactoredMatrix: Shape(torch.Size([2, 5, 6])), Hidden Dim(4)");
    }

    @Test
    void mismatchedFactorsAreRejected() {
        Random rnd = new Random(9);
        assertThatThrownBy(() -> new FactoredMatrix(randn(rnd, 3, 4), randn(rnd, 5, 2))).hasMessageContaining("inner dimension");
        assertThatThrownBy(() -> new FactoredMatrix(randn(rnd, 2, 3, 4), randn(rnd, 3, 4, 2))).hasMessageContaining("broadcast");
        assertThatThrownBy(() -> new FactoredMatrix(randn(rnd, 4), randn(rnd, 4, 2))).isInstanceOf(IllegalArgumentException.class);
    }
}
