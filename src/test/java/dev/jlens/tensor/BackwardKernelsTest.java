package dev.jlens.tensor;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

/** The element-wise backward kernels against double-precision central differences of their forward formulas. */
class BackwardKernelsTest {
    @Test
    void geluNewBackwardIsTheDerivativeTimesTheGradient() {
        SplittableRandom rnd = new SplittableRandom(1);
        int n = 3000;  // several blocks and a scalar tail
        float[] x = new float[n], g = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextGaussian() * 3);
            g[i] = (float) rnd.nextGaussian();
        }
        x[0] = 0f;
        x[1] = -12f;
        x[2] = 12f;
        float[] out = g.clone();
        Kernels.geluNewBackward(x, 0, out, 0, n);
        double h = 1e-4;
        for (int i = 0; i < n; i++) {
            double d = (gelu(x[i] + h) - gelu(x[i] - h)) / (2 * h);
            assertThat((double) out[i]).as("x = %s", x[i]).isCloseTo(g[i] * d, offset(1e-5 + 1e-5 * Math.abs(g[i] * d)));
        }
    }

    @Test
    void softmaxBackwardIsTheJacobianProduct() {
        SplittableRandom rnd = new SplittableRandom(2);
        int n = 37;
        float[] s = new float[n], g = new float[n];
        for (int i = 0; i < n; i++) {
            s[i] = (float) (rnd.nextGaussian() * 2);
            g[i] = (float) rnd.nextGaussian();
        }
        s[5] = Float.NEGATIVE_INFINITY;  // a masked key: probability 0, gradient 0 whatever g holds there
        g[5] = Float.NaN;
        float[] p = s.clone();
        Kernels.softmax(p, 0, n);
        float[] out = new float[n];
        Kernels.softmaxBackward(p, 0, g, 0, out, 0, n);
        double h = 1e-5;
        for (int j = 0; j < n; j++) {
            if (j == 5) {
                assertThat(out[j]).isZero();
                continue;
            }
            double[] plus = softmax(s, j, h), minus = softmax(s, j, -h);
            double expected = 0;
            for (int i = 0; i < n; i++) if (i != 5) expected += g[i] * (plus[i] - minus[i]) / (2 * h);
            assertThat((double) out[j]).as("d/ds[%d]", j).isCloseTo(expected, offset(1e-5 + 1e-4 * Math.abs(expected)));
        }
    }

    private static double gelu(double x) {
        return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
    }

    private static double[] softmax(float[] s, int moved, double delta) {
        double[] e = new double[s.length];
        double sum = 0;
        for (int i = 0; i < s.length; i++) {
            e[i] = Math.exp(s[i] + (i == moved ? delta : 0));
            sum += e[i];
        }
        for (int i = 0; i < s.length; i++) e[i] /= sum;
        return e;
    }
}
