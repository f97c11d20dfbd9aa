package dev.jlens.tensor;

import dev.jlens.testing.RandomCases;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The packed GEMM against a plain triple loop in double, for shapes around every panel and row-block edge. */
class PackedMatrixTest {
    @Test
    void multiplyEqualsNaiveProduct() {
        RandomCases.run(11, 200, rnd -> multiplyEqualsNaiveProduct(rnd.nextInt(14), 1 + rnd.nextInt(70), 1 + rnd.nextInt(140), rnd.nextBoolean(), rnd));
    }

    private static void multiplyEqualsNaiveProduct(int m, int k, int n, boolean withBias, Random rnd) {
        float[] a = random(rnd, m * k), b = random(rnd, k * n), bias = withBias ? random(rnd, n) : null;
        float[] c = new float[m * n];
        PackedMatrix.pack(b, 0, k, n).multiply(a, 0, m, bias, c, 0);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = bias == null ? 0 : bias[j];
                for (int r = 0; r < k; r++) s += (double) a[i * k + r] * b[r * n + j];
                assertThat((double) c[i * n + j]).as("C[%d,%d]", i, j).isCloseTo(s, org.assertj.core.api.Assertions.within(1e-4 + 1e-5 * Math.abs(s)));
            }
        }
    }

    @Test
    void unpackRestoresTheMatrix() {
        RandomCases.run(12, 50, rnd -> {
            int k = 1 + rnd.nextInt(40), n = 1 + rnd.nextInt(200);
            float[] b = random(rnd, k * n);
            assertThat(PackedMatrix.pack(b, 0, k, n).unpack().toArray()).containsExactly(b);
        });
    }

    @Test
    void columnReadsOneColumnInPlace() {
        RandomCases.run(14, 50, rnd -> {
            int k = 1 + rnd.nextInt(40), n = 1 + rnd.nextInt(200), j = rnd.nextInt(n);
            float[] b = random(rnd, k * n), expected = new float[k];
            for (int r = 0; r < k; r++) expected[r] = b[r * n + j];
            assertThat(PackedMatrix.pack(b, 0, k, n).column(j)).containsExactly(expected);
        });
    }

    @Test
    void largeProductsSpreadOverThreadsGiveTheSameResult() {
        RandomCases.run(13, 20, rnd -> largeProduct(30 + rnd.nextInt(61), rnd));
    }

    private static void largeProduct(int m, Random rnd) {
        int k = 96, n = 700;
        float[] a = random(rnd, m * k), b = random(rnd, k * n), c = new float[m * n], row = new float[n];
        PackedMatrix p = PackedMatrix.pack(b, 0, k, n);
        p.multiply(a, 0, m, null, c, 0);
        for (int i = 0; i < m; i++) {
            p.multiply(a, i * k, 1, null, row, 0);
            for (int j = 0; j < n; j++) assertThat(c[i * n + j]).isEqualTo(row[j]);
        }
    }

    private static float[] random(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) rnd.nextGaussian();
        return x;
    }
}
