package dev.jlens.model;

import dev.jlens.tensor.IntTensor;

/**
 * TransformerLens' rotary embeddings of one attention layer: the sines and cosines of each position (in float32,
 * as {@code calculate_sin_cos_rotary} makes them, with its frequency variants), applied to the first
 * {@code rotary_dim} dimensions of each head of the queries and keys; the rest passes unchanged. GPT-NeoX's
 * pairing (dimension i with i + rotary_dim/2) unless {@code rotary_adjacent_pairs}.
 */
final class Rotary {
    private final int dim, half, nCtx;
    private final boolean adjacent;
    private final float[] sin, cos;  // [n_ctx, rotary_dim]

    Rotary(ModelConfig cfg, boolean local) {
        ModelConfig.Variant v = cfg.variant();
        this.dim = v.rotaryDim();
        this.half = dim / 2;
        this.adjacent = v.rotaryAdjacentPairs();
        this.nCtx = cfg.nCtx();
        float[] freq = frequencies(v, local);
        ModelConfig.RopeScaling scaling = v.ropeScaling();
        float attention = scaling.kind() == ModelConfig.RopeScaling.Kind.YARN ? (float) scaling.attentionFactor() : 1f;
        sin = new float[nCtx * dim];
        cos = new float[nCtx * dim];
        for (int p = 0; p < nCtx; p++) {
            for (int j = 0; j < dim; j++) {
                float f = freq[adjacent ? j / 2 : j % half];
                float angle = (float) p / f;
                sin[p * dim + j] = (float) Math.sin(angle) * attention;
                cos[p * dim + j] = (float) Math.cos(angle) * attention;
            }
        }
    }

    /** The rotary_dim/2 frequencies (wavelengths over 2 pi) by TransformerLens' rules. */
    private float[] frequencies(ModelConfig.Variant v, boolean local) {
        double base = v.rotaryBase();
        ModelConfig.RopeScaling s = v.ropeScaling();
        float[] freq = new float[half];
        for (int i = 0; i < half; i++) {
            double invFreq = 1.0 / (float) Math.pow(base, (float) (2 * i) / dim);
            switch (s.kind()) {
                case NTK_BY_PARTS -> {
                    // Llama 3.1: long wavelengths scaled by the factor, short kept, a smooth blend between
                    double lowWavelen = s.originalContext() / s.lowFreqFactor(), highWavelen = s.originalContext() / s.highFreqFactor();
                    double wavelen = 2 * Math.PI / invFreq;
                    double scaled = wavelen > lowWavelen ? invFreq / s.factor() : invFreq;
                    if (!(wavelen < highWavelen) && !(wavelen > lowWavelen)) {
                        double smooth = (s.originalContext() / wavelen - s.lowFreqFactor()) / (s.highFreqFactor() - s.lowFreqFactor());
                        scaled = (1 - smooth) * scaled / s.factor() + smooth * scaled;
                    }
                    freq[i] = (float) (1 / scaled);
                }
                case YARN -> {
                    double low = Math.max(Math.floor(correctionDim(s.betaFast(), s.originalContext(), base)), 0);
                    double high = Math.min(Math.ceil(correctionDim(s.betaSlow(), s.originalContext(), base)), dim - 1);
                    double highF = low == high ? high + 0.001 : high;
                    double ramp = Math.clamp((i - low) / (highF - low), 0, 1);
                    freq[i] = (float) (1 / (invFreq / s.factor() * ramp + invFreq * (1 - ramp)));
                }
                default -> {
                    float f = (float) Math.pow(base, (float) i / ((float) dim / 2));
                    if (s.kind() == ModelConfig.RopeScaling.Kind.LINEAR && !local) f *= (float) s.factor();
                    freq[i] = f;
                }
            }
        }
        return freq;
    }

    private double correctionDim(double rotations, double originalContext, double base) {
        return dim * Math.log(originalContext / (rotations * 2 * Math.PI)) / (2 * Math.log(base));
    }

    /**
     * Rotated copies of {@code rows} rows of {@code heads} heads of d_head each (row r at
     * {@code x.at(r)}), row r at position {@code positions[r]}: [rows, heads*d_head], densely packed.
     */
    float[] apply(Attention.Rows x, int rows, int heads, int dHead, int[] positions) {
        return rotate(x, rows, heads, dHead, positions, 1f);
    }

    /** The transposed rotation (each pair turned back by its angle): the gradient of the input from the output's. */
    float[] applyTransposed(Attention.Rows g, int rows, int heads, int dHead, int[] positions) {
        return rotate(g, rows, heads, dHead, positions, -1f);
    }

    private float[] rotate(Attention.Rows x, int rows, int heads, int dHead, int[] positions, float direction) {
        int width = heads * dHead;
        float[] out = new float[rows * width], flip = new float[dim];
        float[] xd = x.data();
        for (int r = 0; r < rows; r++) {
            int p = positions[r] * dim;
            for (int h = 0; h < heads; h++) {
                int in = x.at(r) + h * dHead, o = r * width + h * dHead;
                for (int i = 0; i < dim; i++) {
                    if (adjacent) flip[i] = (i & 1) == 0 ? -xd[in + i + 1] : xd[in + i - 1];
                    else flip[i] = i < half ? -xd[in + i + half] : xd[in + i - half];
                }
                for (int i = 0; i < dim; i++) out[o + i] = xd[in + i] * cos[p + i] + flip[i] * (direction * sin[p + i]);
                System.arraycopy(xd, in + dim, out, o + dim, dHead - dim);
            }
        }
        return out;
    }

    /**
     * The position of each row: its place in the sequence, or with a padding mask TransformerLens' offset
     * position ids (attended positions before it, padding at 0).
     */
    static int[] positions(RowLayout rows, IntTensor mask) {
        int[] out = new int[rows.rows()];
        for (int s = 0; s < rows.segments(); s++) {
            int b = rows.sequence(s), first = rows.firstPos(s);
            int seen = 0;
            if (mask != null) for (int j = 0; j < first; j++) seen += mask.item(b, j);
            for (int t = 0; t < rows.length(s); t++) {
                int p = first + t;
                if (mask != null) seen += mask.item(b, p);
                out[rows.rowStart(s) + t] = mask == null ? p : Math.max(0, seen - 1);
            }
        }
        return out;
    }
}
