package dev.jlens.model;

import dev.jlens.tensor.Kernels;

/**
 * TransformerLens' MLP activations ({@code act_fn}) over a range of an array, in place, and their derivatives:
 * gelu_new, gelu_fast and gelu_pytorch_tanh are the same tanh formula (GPT-2's vectorized kernel), gelu is
 * the exact erf form, silu and relu as named.
 */
final class Activations {
    private static final double SQRT_HALF = Math.sqrt(0.5), INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

    private Activations() {}

    static void apply(ActivationFunction fn, float[] a, int off, int n) {
        switch (fn) {
            case GELU_NEW, GELU_FAST, GELU_PYTORCH_TANH -> Kernels.geluNew(a, off, n);
            case GELU -> {
                for (int i = off; i < off + n; i++) a[i] = (float) (0.5 * a[i] * (1 + erf(a[i] * SQRT_HALF)));
            }
            case SILU -> {
                for (int i = off; i < off + n; i++) a[i] = (float) (a[i] / (1 + Math.exp(-a[i])));
            }
            case RELU -> {
                for (int i = off; i < off + n; i++) a[i] = Math.max(0f, a[i]);
            }
        }
    }

    /** {@code g[gOff + i] *= f'(x[xOff + i])} for i in [0, n). */
    static void backward(ActivationFunction fn, float[] x, int xOff, float[] g, int gOff, int n) {
        switch (fn) {
            case GELU_NEW, GELU_FAST, GELU_PYTORCH_TANH -> Kernels.geluNewBackward(x, xOff, g, gOff, n);
            case GELU -> {
                for (int i = 0; i < n; i++) {
                    double v = x[xOff + i];
                    g[gOff + i] *= (float) (0.5 * (1 + erf(v * SQRT_HALF)) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v));
                }
            }
            case SILU -> {
                for (int i = 0; i < n; i++) {
                    double v = x[xOff + i], s = 1 / (1 + Math.exp(-v));
                    g[gOff + i] *= (float) (s * (1 + v * (1 - s)));
                }
            }
            case RELU -> {
                for (int i = 0; i < n; i++) if (x[xOff + i] <= 0) g[gOff + i] = 0f;
            }
        }
    }

    /** The error function, to about 1e-7 absolute (Abramowitz and Stegun 7.1.26), below float32's resolution of gelu. */
    static double erf(double x) {
        double t = 1 / (1 + 0.3275911 * Math.abs(x));
        double y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
        return x >= 0 ? y : -y;
    }
}
