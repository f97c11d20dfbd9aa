package dev.jlens.tensor;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The packed GEMM against a plain triple loop in double, for shapes around every panel and row-block edge. */
class PackedMatrixTest {
    @Property(tries = 200)
    void multiplyEqualsNaiveProduct(@ForAll @IntRange(min = 0, max = 13) int m, @ForAll @IntRange(min = 1, max = 70) int k,
                                    @ForAll @IntRange(min = 1, max = 140) int n, @ForAll boolean withBias) {
        Random rnd = new Random(31L * m + 7L * k + n);
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

    @Property(tries = 50)
    void unpackRestoresTheMatrix(@ForAll @IntRange(min = 1, max = 40) int k, @ForAll @IntRange(min = 1, max = 200) int n) {
        float[] b = random(new Random(k * 1000L + n), k * n);
        assertThat(PackedMatrix.pack(b, 0, k, n).unpack().toArray()).containsExactly(b);
    }

    @Property(tries = 20)
    void largeProductsSpreadOverThreadsGiveTheSameResult(@ForAll @IntRange(min = 30, max = 90) int m) {
        Random rnd = new Random(m);
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
