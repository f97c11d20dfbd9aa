package dev.jlens.tensor;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link PackedMatrix#multiplyTransposed} and {@link PackedMatrix#transposed} against the product written out in double, on awkward shapes. */
class PackedMatrixTransposedTest {
    @ParameterizedTest
    @CsvSource({"1,1,1", "5,7,3", "3,130,257", "9,768,200", "130,33,1000"})
    void equalsTheProductWithTheTranspose(int m, int k, int n) {
        SplittableRandom rnd = new SplittableRandom(m * 31L + k * 7L + n);
        float[] b = new float[k * n], g = new float[m * n + 3];
        for (int i = 0; i < b.length; i++) b[i] = (float) rnd.nextGaussian();
        for (int i = 0; i < g.length; i++) g[i] = (float) rnd.nextGaussian();
        float[] c = new float[m * k + 2];
        PackedMatrix.pack(b, 0, k, n).multiplyTransposed(g, 3, m, c, 2);
        for (int i = 0; i < m; i++) {
            for (int r = 0; r < k; r++) {
                double s = 0;
                for (int j = 0; j < n; j++) s += (double) g[3 + i * n + j] * b[r * n + j];
                assertThat((double) c[2 + i * k + r]).as("c[%d, %d]", i, r).isCloseTo(s, org.assertj.core.data.Offset.offset(1e-4 * Math.sqrt(n) + 1e-5 * Math.abs(s)));
            }
        }
        assertThat(c[0]).isZero();
        assertThat(c[1]).isZero();
    }

    /** One row of g goes through the streaming loop, several through the tiled one: a row's result is the same bits either way. */
    @ParameterizedTest
    @CsvSource({"5,768,200", "9,130,1000", "6,3,257"})
    void aRowGivesTheSameBitsAloneAsAmongMany(int m, int k, int n) {
        SplittableRandom rnd = new SplittableRandom(m + 17L * k + n);
        float[] b = new float[k * n], g = new float[m * n];
        for (int i = 0; i < b.length; i++) b[i] = (float) rnd.nextGaussian();
        for (int i = 0; i < g.length; i++) g[i] = (float) rnd.nextGaussian();
        PackedMatrix w = PackedMatrix.pack(b, 0, k, n);
        float[] all = new float[m * k];
        w.multiplyTransposed(g, 0, m, all, 0);
        for (int i = 0; i < m; i++) {
            float[] one = new float[k];
            w.multiplyTransposed(g, i * n, 1, one, 0);
            assertThat(one).as("row %d", i).containsExactly(java.util.Arrays.copyOfRange(all, i * k, (i + 1) * k));
        }
    }

    /** The packed transpose holds B.T element for element, is made once, and its product is g @ B.T. */
    @ParameterizedTest
    @CsvSource({"1,1,1", "5,7,3", "3,130,257", "40,768,200"})
    void theTransposeMultipliesAsTheProductWithTheTranspose(int m, int k, int n) {
        SplittableRandom rnd = new SplittableRandom(m * 13L + k * 5L + n);
        float[] b = new float[k * n], g = new float[m * n];
        for (int i = 0; i < b.length; i++) b[i] = (float) rnd.nextGaussian();
        for (int i = 0; i < g.length; i++) g[i] = (float) rnd.nextGaussian();
        PackedMatrix w = PackedMatrix.pack(b, 0, k, n);
        PackedMatrix t = w.transposed();
        assertThat(w.transposed()).isSameAs(t);
        assertThat(t.rows()).isEqualTo(n);
        assertThat(t.cols()).isEqualTo(k);
        float[] tb = t.unpack().toArray();
        for (int j = 0; j < n; j++) {
            for (int r = 0; r < k; r++) assertThat(tb[j * k + r]).as("B.T[%d, %d]", j, r).isEqualTo(b[r * n + j]);
        }
        float[] c = new float[m * k];
        t.multiply(g, 0, m, null, c, 0);
        for (int i = 0; i < m; i++) {
            for (int r = 0; r < k; r++) {
                double s = 0;
                for (int j = 0; j < n; j++) s += (double) g[i * n + j] * b[r * n + j];
                assertThat((double) c[i * k + r]).as("c[%d, %d]", i, r).isCloseTo(s, org.assertj.core.data.Offset.offset(1e-4 * Math.sqrt(n) + 1e-5 * Math.abs(s)));
            }
        }
    }
}
