package dev.jlens.sae;

import tools.jackson.databind.JsonNode;

/**
 * One fixture SAE's forward on one row, in float64 loops written from the fixture README's statement of SAELens'
 * rules, with its weights read from the file and its settings from reference.json (not through {@link SaeConfig} or
 * {@link Sae}). Tests differentiate it by central differences.
 */
final class ReferenceSae {
    final int dIn, dSae;
    private final String architecture, normalization;
    private final boolean applyBDec;
    private final int k;
    private final double[][] wEnc, wDec;
    private final double[] bDec, bEnc, threshold, bGate, bMag, rMag;

    ReferenceSae(String folder) {
        this(SaeFixtures.reference().get("saes").get(folder), name -> SaeFixtures.tensor(folder + "/sae_weights.safetensors", name));
    }

    /** An SAE described by {@code settings} (architecture, normalize_activations, apply_b_dec_to_input, k) with these weights by name. */
    ReferenceSae(JsonNode settings, java.util.function.Function<String, dev.jlens.tensor.Tensor> weights) {
        architecture = settings.get("architecture").asString();
        normalization = settings.get("normalize_activations").asString();
        applyBDec = settings.get("apply_b_dec_to_input").asBoolean();
        k = settings.has("k") && !settings.get("k").isNull() ? settings.get("k").asInt() : 0;
        wEnc = matrix(weights.apply("W_enc"));
        wDec = matrix(weights.apply("W_dec"));
        dIn = wEnc.length;
        dSae = wDec.length;
        bDec = vector(weights.apply("b_dec"));
        boolean gated = architecture.equals("gated");
        bEnc = gated ? null : vector(weights.apply("b_enc"));
        threshold = architecture.equals("jumprelu") ? vector(weights.apply("threshold")) : null;
        bGate = gated ? vector(weights.apply("b_gate")) : null;
        bMag = gated ? vector(weights.apply("b_mag")) : null;
        rMag = gated ? vector(weights.apply("r_mag")) : null;
    }

    /** The normalization of one row: the normalized row and what undoes it (scale, mean). */
    record Normalized(double[] values, double scale, double mean) {}

    Normalized normalize(double[] x) {
        int d = x.length;
        switch (normalization) {
            case "constant_norm_rescale" -> {
                double sq = 0;
                for (double v : x) sq += v * v;
                double c = Math.sqrt(d) / Math.sqrt(sq);
                double[] n = new double[d];
                for (int i = 0; i < d; i++) n[i] = x[i] * c;
                return new Normalized(n, c, 0);
            }
            case "layer_norm" -> {
                double mu = 0;
                for (double v : x) mu += v / d;
                double sq = 0;
                for (double v : x) sq += (v - mu) * (v - mu);
                double sigma = Math.sqrt(sq / (d - 1));
                double[] n = new double[d];
                for (int i = 0; i < d; i++) n[i] = (x[i] - mu) / (sigma + 1e-5);
                return new Normalized(n, sigma, mu);
            }
            default -> {
                return new Normalized(x.clone(), 1, 0);
            }
        }
    }

    /** The encoder's input: normalized, minus b_dec if apply_b_dec_to_input. */
    double[] centered(double[] x) {
        double[] s = normalize(x).values();
        if (applyBDec) for (int i = 0; i < dIn; i++) s[i] -= bDec[i];
        return s;
    }

    /** hook_sae_acts_pre (gated: the magnitude path). */
    double[] pre(double[] s) {
        double[] pre = new double[dSae];
        for (int j = 0; j < dSae; j++) {
            double v = architecture.equals("gated") ? bMag[j] : bEnc[j];
            double scale = architecture.equals("gated") ? Math.exp(rMag[j]) : 1;
            for (int i = 0; i < dIn; i++) v += s[i] * wEnc[i][j] * scale;
            pre[j] = v;
        }
        return pre;
    }

    /** hook_sae_acts_post from the pre-activations (and, for gated, the encoder's input). */
    double[] post(double[] pre, double[] s) {
        double[] post = new double[dSae];
        switch (architecture) {
            case "standard" -> {
                for (int j = 0; j < dSae; j++) post[j] = Math.max(0, pre[j]);
            }
            case "jumprelu" -> {
                for (int j = 0; j < dSae; j++) post[j] = pre[j] > threshold[j] ? Math.max(0, pre[j]) : 0;
            }
            case "gated" -> {
                for (int j = 0; j < dSae; j++) {
                    double gate = bGate[j];
                    for (int i = 0; i < dIn; i++) gate += s[i] * wEnc[i][j];
                    post[j] = gate > 0 ? Math.max(0, pre[j]) : 0;
                }
            }
            case "topk" -> {
                boolean[] taken = new boolean[dSae];
                for (int n = 0; n < k; n++) {
                    int best = -1;
                    for (int j = 0; j < dSae; j++) if (!taken[j] && (best < 0 || pre[j] > pre[best])) best = j;
                    taken[best] = true;
                    post[best] = Math.max(0, pre[best]);
                }
            }
            default -> throw new AssertionError(architecture);
        }
        return post;
    }

    /** The decoded row: post W_dec + b_dec, with the normalization of {@code x} undone. */
    double[] decode(double[] post, double[] x) {
        Normalized how = normalize(x);
        double[] out = bDec.clone();
        for (int j = 0; j < dSae; j++) if (post[j] != 0) for (int i = 0; i < dIn; i++) out[i] += post[j] * wDec[j][i];
        for (int i = 0; i < dIn; i++) {
            out[i] = switch (normalization) {
                case "constant_norm_rescale" -> out[i] / how.scale();
                case "layer_norm" -> out[i] * how.scale() + how.mean();
                default -> out[i];
            };
        }
        return out;
    }

    /** The whole SAE on one row (without the error term). */
    double[] forward(double[] x) {
        double[] s = centered(x);
        return decode(post(pre(s), s), x);
    }

    static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) sum += a[i] * b[i];
        return sum;
    }

    /** d (g . f(x)) / dx by central differences, step h * max(1, max|x|). */
    static double[] gradient(java.util.function.Function<double[], double[]> f, double[] x, double[] g) {
        double scale = 1;
        for (double v : x) scale = Math.max(scale, Math.abs(v));
        double h = 1e-6 * scale;
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double[] plus = x.clone(), minus = x.clone();
            plus[i] += h;
            minus[i] -= h;
            out[i] = (dot(g, f.apply(plus)) - dot(g, f.apply(minus))) / (2 * h);
        }
        return out;
    }

    private static double[][] matrix(dev.jlens.tensor.Tensor t) {
        double[][] m = new double[t.shape(0)][t.shape(1)];
        for (int r = 0; r < m.length; r++) for (int c = 0; c < m[r].length; c++) m[r][c] = t.item(r, c);
        return m;
    }

    private static double[] vector(dev.jlens.tensor.Tensor t) {
        float[] v = t.toArray();
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[i];
        return out;
    }
}
