package dev.jlens.tensor;

import dev.jlens.testing.RandomCases;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import static dev.jlens.testing.Matrices.assertClose;
import static dev.jlens.testing.Matrices.assertDescending;
import static dev.jlens.testing.Matrices.assertOrthonormalColumns;
import static dev.jlens.testing.Matrices.eye;
import static dev.jlens.testing.Matrices.randn;
import static dev.jlens.testing.Matrices.recompose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

/** SVD and eigenvalues on matrices whose answers are known, and on random ones through their invariants. */
class DecompositionsTest {
    private static Tensor m(float[][] rows) {
        return Tensor.of(rows);
    }

    /** A full check of one SVD: shapes, reconstruction, orthonormal U and V, S descending and non-negative. */
    private static Decompositions.Svd checkedSvd(Tensor a, double atol) {
        Decompositions.Svd svd = Decompositions.svd(a);
        int mm = a.shape(-2), n = a.shape(-1), k = Math.min(mm, n);
        assertThat(svd.U().shape(-1)).isEqualTo(k);
        assertThat(svd.V().shape(-2)).isEqualTo(n);
        assertClose("U S Vᵀ", recompose(svd.U(), svd.S(), svd.V()), a, atol);
        assertOrthonormalColumns("U", svd.U(), 1e-5);
        assertOrthonormalColumns("V", svd.V(), 1e-5);
        assertDescending("S", svd.S());
        assertThat(svd.S().min()).isGreaterThanOrEqualTo(0f);
        return svd;
    }

    private static void assertEigenvalues(Tensor a, double tol, double... reIm) {
        ComplexTensor e = Decompositions.eigenvalues(a);
        float[] re = e.real().toArray(), im = e.imag().toArray();
        assertThat(re.length * 2).isEqualTo(reIm.length);
        for (int i = 0; i < re.length; i++) {
            assertThat((double) re[i]).as("re[%d]", i).isCloseTo(reIm[2 * i], offset(tol));
            assertThat((double) im[i]).as("im[%d]", i).isCloseTo(reIm[2 * i + 1], offset(tol));
        }
    }

    @Test
    void diagonalMatrix() {
        Tensor d = m(new float[][] {{3, 0, 0}, {0, -1, 0}, {0, 0, 2}});
        Decompositions.Svd svd = checkedSvd(d, 1e-6);
        assertThat(svd.S().toArray()).containsExactly(new float[] {3, 2, 1}, offset(1e-6f));
        assertEigenvalues(d, 1e-12, 3, 0, 2, 0, -1, 0);
    }

    @Test
    void rotationHasEigenvaluesPlusMinusI() {
        Tensor rot = m(new float[][] {{0, -1}, {1, 0}});
        assertEigenvalues(rot, 1e-12, 0, 1, 0, -1);
        assertThat(checkedSvd(rot, 1e-6).S().toArray()).containsExactly(new float[] {1, 1}, offset(1e-6f));
        // a scaled rotation embedded in 3-d: 2(cos t ± i sin t) and the real 5
        double t = 0.7;
        float c = (float) (2 * Math.cos(t)), s = (float) (2 * Math.sin(t));
        assertEigenvalues(m(new float[][] {{c, 0, -s}, {0, 5, 0}, {s, 0, c}}), 1e-6, 5, 0, c, s, c, -s);
    }

    @Test
    void defectiveAndRepeatedEigenvalues() {
        assertEigenvalues(m(new float[][] {{3, 1}, {-1, 1}}), 1e-7, 2, 0, 2, 0);  // (λ-2)², one eigenvector
        Tensor jordan = m(new float[][] {{2, 1, 0}, {0, 2, 1}, {0, 0, 2}});
        Tensor s = m(new float[][] {{1, 1, 0}, {0, 1, 0}, {1, 0, 1}}), sInv = m(new float[][] {{1, -1, 0}, {0, 1, 0}, {-1, 1, 1}});
        assertClose("S S⁻¹", s.matmul(sInv), eye(3), 0);
        // a triple eigenvalue in one Jordan block moves by ~eps^(1/3) under rounding
        assertEigenvalues(s.matmul(jordan).matmul(sInv), 1e-4, 2, 0, 2, 0, 2, 0);
        assertEigenvalues(eye(4).mul(5), 0, 5, 0, 5, 0, 5, 0, 5, 0);
        assertEigenvalues(Tensor.zeros(3, 3), 0, 0, 0, 0, 0, 0, 0);
    }

    @Test
    void cyclicPermutationsNeedTheExceptionalShift() {
        // the plain double shift stalls on these; their eigenvalues are the roots of unity
        Tensor p3 = m(new float[][] {{0, 0, 1}, {1, 0, 0}, {0, 1, 0}});
        double h = Math.sqrt(3) / 2;
        assertEigenvalues(p3, 1e-6, 1, 0, -0.5, h, -0.5, -h);
        Tensor p4 = m(new float[][] {{0, 0, 0, 1}, {1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}});
        assertEigenvalues(p4, 1e-6, 1, 0, 0, 1, 0, -1, -1, 0);
    }

    @Test
    void rankDeficientMatricesKeepOrthonormalFactors() {
        Tensor u = Tensor.of(new float[] {1, 2, -1, 0.5f}, 4, 1), v = Tensor.of(new float[] {3, 0, -4}, 1, 3);
        Decompositions.Svd svd = checkedSvd(u.matmul(v), 1e-5);
        double expected = Math.sqrt(1 + 4 + 1 + 0.25) * 5;
        assertThat((double) svd.S().item(0)).isCloseTo(expected, offset(1e-5));
        assertThat(svd.S().get("1:").abs().max()).isLessThan(1e-5f);
        Decompositions.Svd zero = checkedSvd(Tensor.zeros(3, 5), 0);
        assertThat(zero.S().toArray()).containsOnly(0f);
        checkedSvd(m(new float[][] {{1, 2}, {2, 4}, {0, 0}}), 1e-6);
        checkedSvd(m(new float[][] {{0, 0, 0}, {0, 7, 0}}), 0);
    }

    @Test
    void oneByOneAndEmpty() {
        Decompositions.Svd svd = checkedSvd(m(new float[][] {{-3}}), 0);
        assertThat(svd.S().toArray()).containsExactly(3f);
        assertThat(svd.U().item(0, 0) * svd.V().item(0, 0)).isEqualTo(-1f);
        assertEigenvalues(m(new float[][] {{-3}}), 0, -3, 0);
        assertThat(Decompositions.svd(Tensor.zeros(0, 4)).S().shape()).containsExactly(0);
    }

    @Test
    void randomTallWideAndBatchedMatricesRecompose() {
        RandomCases.run(11, 12, r -> {
            int rows = 1 + r.nextInt(9), cols = 1 + r.nextInt(9);
            Tensor a = r.nextBoolean() ? randn(r, rows, cols) : randn(r, 2, 3, rows, cols);
            Decompositions.Svd svd = checkedSvd(a, 1e-5);
            // the singular values are the square roots of the eigenvalues of AᵀA
            Tensor gram = a.mT().matmul(a);
            float sumSq = svd.S().mul(svd.S()).sum();
            assertThat(sumSq).isCloseTo(Tensor.einsum("...ii->", gram).item(), offset(1e-3f * Math.max(1, sumSq)));
        });
    }

    @Test
    void svdOfAHeadSizedMatrixIsAccurate() {
        Tensor a = randn(new Random(3), 256, 32).matmul(randn(new Random(4), 32, 64));  // rank 32 of 64 columns
        Decompositions.Svd svd = checkedSvd(a, 2e-4);
        assertThat(svd.S().get("32:").max()).isLessThan(1e-3f * svd.S().item(0));
    }

    @Test
    void eigenvaluesOfAKnownSpectrumUnderAnOrthogonalChangeOfBasis() {
        RandomCases.run(21, 10, r -> {
            // block-diagonal: real eigenvalues and 2x2 rotation-scalings a ± bi, then Q D Qᵀ
            int pairs = 1 + r.nextInt(3), reals = r.nextInt(4), n = 2 * pairs + reals;
            Tensor d = Tensor.zeros(n, n);
            double[][] expected = new double[n][];
            for (int p = 0; p < pairs; p++) {
                float re = (float) r.nextGaussian(), im = (float) (0.5 + r.nextDouble());
                d.put(re, 2 * p, 2 * p);
                d.put(re, 2 * p + 1, 2 * p + 1);
                d.put(-im, 2 * p, 2 * p + 1);
                d.put(im, 2 * p + 1, 2 * p);
                expected[2 * p] = new double[] {re, im};
                expected[2 * p + 1] = new double[] {re, -im};
            }
            for (int i = 2 * pairs; i < n; i++) {
                float x = (float) (3 * r.nextGaussian());
                d.put(x, i, i);
                expected[i] = new double[] {x, 0};
            }
            Tensor q = Decompositions.svd(randn(r, n, n)).U();
            ComplexTensor e = Decompositions.eigenvalues(q.matmul(d).matmul(q.mT()));
            Arrays.sort(expected, Comparator.<double[]>comparingDouble(x -> x[0]).thenComparingDouble(x -> x[1]).reversed());
            for (int i = 0; i < n; i++) {
                assertThat((double) e.real().item(i)).as("re[%d]", i).isCloseTo(expected[i][0], offset(1e-4));
                assertThat((double) e.imag().item(i)).as("im[%d]", i).isCloseTo(expected[i][1], offset(1e-4));
            }
        });
    }

    @Test
    void eigenvaluesOfRandomMatricesHaveTheirPowerSums() {
        // Σ λ^k = trace(M^k): k = 1, 2, 3 pin down most of the spectrum of a random matrix
        RandomCases.run(31, 10, r -> {
            int n = 1 + r.nextInt(12);
            Tensor a = randn(r, n, n);
            ComplexTensor e = Decompositions.eigenvalues(a);
            assertDescending("real parts", e.real());
            Tensor power = a;
            for (int k = 1; k <= 3; k++) {
                double sumRe = 0, sumIm = 0;
                for (int i = 0; i < n; i++) {
                    double mod = Math.pow(Math.hypot(e.real().item(i), e.imag().item(i)), k), arg = k * Math.atan2(e.imag().item(i), e.real().item(i));
                    sumRe += mod * Math.cos(arg);
                    sumIm += mod * Math.sin(arg);
                }
                double trace = Tensor.einsum("ii->", power).item();
                assertThat(sumRe).as("Σλ^%d", k).isCloseTo(trace, offset(1e-4 * Math.pow(n, k)));
                assertThat(sumIm).as("Im Σλ^%d", k).isCloseTo(0, offset(1e-4 * Math.pow(n, k)));
                power = power.matmul(a);
            }
        });
    }

    @Test
    void eigenvaluesAreBatchedAndSorted() {
        Tensor batch = Tensor.stack(List.of(m(new float[][] {{1, 0}, {0, 4}}), m(new float[][] {{0, -2}, {2, 0}})), 0);
        ComplexTensor e = Decompositions.eigenvalues(batch);
        assertThat(e.shape()).containsExactly(2, 2);
        assertThat(e.real().toArray()).containsExactly(new float[] {4, 1, 0, 0}, offset(1e-6f));
        assertThat(e.imag().toArray()).containsExactly(new float[] {0, 0, 2, -2}, offset(1e-6f));
        assertThat(e.abs().toArray()).containsExactly(new float[] {4, 1, 2, 2}, offset(1e-6f));
        assertThatThrownBy(() -> Decompositions.eigenvalues(Tensor.zeros(2, 3))).hasMessageContaining("square");
        Tensor nan = m(new float[][] {{1, Float.NaN}, {0, 1}});
        assertThatThrownBy(() -> Decompositions.eigenvalues(nan)).hasMessageContaining("NaN");
        assertThatThrownBy(() -> Decompositions.svd(nan)).hasMessageContaining("NaN");
    }
}
