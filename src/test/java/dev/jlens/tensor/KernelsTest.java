package dev.jlens.tensor;

import dev.jlens.testing.RandomCases;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The kernels' own exp and tanh: accurate, and the same bits in every lane, every run, before and after JIT. */
class KernelsTest {
    private static final int L = Kernels.L;

    @Test
    void expIsWithinTwoUlpsOfTheExactValue() {
        RandomCases.run(61, 20_000, r -> {
            float x = -87f + r.nextFloat() * 175f;
            float got = Kernels.exp(x);
            double exact = StrictMath.exp(x);
            assertThat(Math.abs(got - exact)).as("exp(%s)", x).isLessThanOrEqualTo(2 * Math.ulp((float) exact));
        });
    }

    @Test
    void expOfSpecialValues() {
        assertThat(Kernels.exp(0f)).isEqualTo(1f);
        assertThat(Kernels.exp(Float.NEGATIVE_INFINITY)).isEqualTo(0f);
        assertThat(Kernels.exp(-100f)).isEqualTo(0f);
        assertThat(Kernels.exp(100f)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(Kernels.exp(Float.NaN)).isNaN();
        assertThat(Kernels.exp(88.7f)).isFinite().isGreaterThan(3e38f);
    }

    @Test
    void tanhIsWithinOneMillionthOfTheExactValue() {
        RandomCases.run(62, 20_000, r -> {
            float y = (float) (r.nextGaussian() * 4);
            assertThat((double) Kernels.tanh(y)).as("tanh(%s)", y).isCloseTo(StrictMath.tanh(y), org.assertj.core.api.Assertions.within(1e-6));
        });
        assertThat(Kernels.tanh(0f)).isZero();
        assertThat(Kernels.tanh(50f)).isEqualTo(1f);
        assertThat(Kernels.tanh(-50f)).isEqualTo(-1f);
    }

    @Test
    void vectorLanesGiveTheScalarBitsEveryTime() {
        Random r = new Random(63);
        float[] xs = new float[L * 64 + 5];  // whole vectors and a scalar tail
        for (int i = 0; i < xs.length; i++) xs[i] = (float) (r.nextGaussian() * (i % 2 == 0 ? 30 : 3));
        xs[0] = Float.NEGATIVE_INFINITY;
        xs[1] = Float.NaN;
        xs[2] = -90f;
        xs[3] = 90f;
        xs[4] = Float.POSITIVE_INFINITY;
        float[] expScalar = new float[xs.length], geluScalar = new float[xs.length];
        for (int i = 0; i < xs.length; i++) {
            expScalar[i] = Kernels.exp(xs[i]);
            geluScalar[i] = Kernels.geluNew(xs[i]);
        }
        // Many rounds, so the vector code runs interpreted, then compiled.
        for (int round = 0; round < 3000; round++) {
            float[] e = xs.clone(), g = xs.clone();
            Kernels.exp(e, 0, e.length);
            Kernels.geluNew(g, 0, g.length);
            for (int i = 0; i < xs.length; i++) {
                assertThat(Float.floatToIntBits(e[i])).as("exp of %s in round %d", xs[i], round).isEqualTo(Float.floatToIntBits(expScalar[i]));
                assertThat(Float.floatToIntBits(g[i])).as("gelu_new of %s in round %d", xs[i], round).isEqualTo(Float.floatToIntBits(geluScalar[i]));
            }
        }
    }

    @Test
    void geluNewIsTransformerLensFormula() {
        RandomCases.run(64, 5_000, r -> {
            float x = (float) (r.nextGaussian() * 5);
            double exact = 0.5 * x * (1 + StrictMath.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
            assertThat((double) Kernels.geluNew(x)).as("gelu_new(%s)", x).isCloseTo(exact, org.assertj.core.api.Assertions.within(1e-6 * Math.max(1, Math.abs(x))));
        });
    }

    @Test
    void geluNewOverManyBlocksMatchesElementByElement() {
        Random r = new Random(65);
        float[] xs = new float[5000];  // several of gelu's scratch blocks, and a ragged end
        for (int i = 0; i < xs.length; i++) xs[i] = (float) (r.nextGaussian() * 4);
        float[] g = xs.clone();
        Kernels.geluNew(g, 0, g.length);
        for (int i = 0; i < xs.length; i++) assertThat(g[i]).as("element %d", i).isEqualTo(Kernels.geluNew(xs[i]));
    }

    @Test
    void softmaxOfAllMaskedRowIsZeros() {
        float[] row = {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY};
        Kernels.softmax(row, 0, 3);
        assertThat(row).containsExactly(0f, 0f, 0f);
        float[] masked = {1f, Float.NEGATIVE_INFINITY, 1f};
        Kernels.softmax(masked, 0, 3);
        assertThat(masked).containsExactly(0.5f, 0f, 0.5f);
    }
}
