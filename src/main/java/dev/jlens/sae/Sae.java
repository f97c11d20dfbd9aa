package dev.jlens.sae;

import dev.jlens.JlensException;
import dev.jlens.io.Checkpoint;
import dev.jlens.io.TensorInfo;
import dev.jlens.tensor.PackedMatrix;
import dev.jlens.tensor.Tensor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A sparse autoencoder as SAELens saves one: {@code cfg.json}, {@code sae_weights.safetensors} and optionally
 * {@code sparsity.safetensors} in one folder. Immutable; {@link #encode} and {@link #decode} compute what SAELens'
 * {@code SAE.encode} / {@code decode} compute, in float32 whatever the config's dtype.
 *
 * <p>Tensors: {@code W_enc} [d_in, d_sae], {@code W_dec} [d_sae, d_in] (row i is feature i's direction), {@code b_dec}
 * [d_in]; {@code b_enc} [d_sae] (standard, jumprelu, topk); {@code threshold} [d_sae] (jumprelu); {@code b_gate},
 * {@code b_mag}, {@code r_mag} [d_sae] (gated). Loaded strictly, as SAELens does: a missing or extra tensor is an
 * error, except an all-ones {@code scaling_factor} (older SAELens saved one), which is dropped.
 */
public final class Sae {
    public static final String CONFIG_FILE = "cfg.json", WEIGHTS_FILE = "sae_weights.safetensors", SPARSITY_FILE = "sparsity.safetensors";

    private final SaeConfig cfg;
    private final String source;
    private final Tensor wEnc, wDec, bDec, bEnc, threshold, bGate, bMag, rMag, sparsity;
    private final PackedMatrix encoder;      // W_enc (gated: the magnitude path's W_enc * exp(r_mag))
    private final PackedMatrix gateEncoder;  // gated only: W_enc for the gate path
    private final float[] decoderNorms;      // top-k with rescale_acts_by_decoder_norm only

    private Sae(SaeConfig cfg, String source, Map<String, Tensor> t, Tensor sparsity) {
        this.cfg = cfg;
        this.source = source;
        this.wEnc = t.get("W_enc");
        this.wDec = t.get("W_dec");
        this.bDec = t.get("b_dec");
        this.bEnc = t.get("b_enc");
        this.threshold = t.get("threshold");
        this.bGate = t.get("b_gate");
        this.bMag = t.get("b_mag");
        this.rMag = t.get("r_mag");
        this.sparsity = sparsity;
        if (cfg.architecture() == SaeArchitecture.GATED) {
            float[] mag = wEnc.toArray();
            float[] scale = new float[cfg.dSae()];
            for (int j = 0; j < scale.length; j++) scale[j] = (float) Math.exp(rMag.data()[rMag.offset() + j]);
            for (int i = 0; i < cfg.dIn(); i++) for (int j = 0; j < cfg.dSae(); j++) mag[i * cfg.dSae() + j] *= scale[j];
            this.encoder = PackedMatrix.pack(Tensor.of(mag, cfg.dIn(), cfg.dSae()));
            this.gateEncoder = PackedMatrix.pack(wEnc);
        } else {
            this.encoder = PackedMatrix.pack(wEnc);
            this.gateEncoder = null;
        }
        this.decoderNorms = cfg.rescaleActsByDecoderNorm() ? SaeKernels.rowNorms(wDec) : null;
    }

    /** Loads the SAE in a folder in SAELens' layout. */
    public static Sae load(Path folder) {
        if (!Files.isDirectory(folder)) throw new JlensException(folder + ": no such SAE folder (it needs " + CONFIG_FILE + " and " + WEIGHTS_FILE + ")");
        Path cfgFile = folder.resolve(CONFIG_FILE), weightsFile = folder.resolve(WEIGHTS_FILE);
        if (!Files.isRegularFile(cfgFile)) throw new JlensException(folder + ": not an SAE folder (no " + CONFIG_FILE + ")");
        if (!Files.isRegularFile(weightsFile)) throw new JlensException(folder + ": not an SAE folder (no " + WEIGHTS_FILE + ")");
        SaeConfig cfg = SaeConfig.read(cfgFile);
        Map<String, Tensor> tensors = readWeights(cfg, weightsFile);
        Tensor sparsity = null;
        Path sparsityFile = folder.resolve(SPARSITY_FILE);
        if (Files.isRegularFile(sparsityFile)) {
            try (Checkpoint c = Checkpoint.open(sparsityFile)) {
                sparsity = read(c, "sparsity", cfg.dSae());
            }
        }
        return new Sae(cfg, folder.toString(), tensors, sparsity);
    }

    /** The tensors an architecture has, by name, with their shapes. */
    private static Map<String, int[]> expectedTensors(SaeConfig cfg) {
        Map<String, int[]> m = new LinkedHashMap<>();
        int dIn = cfg.dIn(), dSae = cfg.dSae();
        m.put("W_enc", new int[]{dIn, dSae});
        m.put("W_dec", new int[]{dSae, dIn});
        m.put("b_dec", new int[]{dIn});
        switch (cfg.architecture()) {
            case STANDARD, TOPK -> m.put("b_enc", new int[]{dSae});
            case JUMPRELU -> {
                m.put("b_enc", new int[]{dSae});
                m.put("threshold", new int[]{dSae});
            }
            case GATED -> {
                m.put("b_gate", new int[]{dSae});
                m.put("b_mag", new int[]{dSae});
                m.put("r_mag", new int[]{dSae});
            }
        }
        return m;
    }

    private static Map<String, Tensor> readWeights(SaeConfig cfg, Path file) {
        Map<String, int[]> expected = expectedTensors(cfg);
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (Checkpoint c = Checkpoint.open(file)) {
            TreeSet<String> extra = new TreeSet<>(c.names());
            extra.removeAll(expected.keySet());
            if (extra.remove("scaling_factor")) {
                float[] s = read(c, "scaling_factor", cfg.dSae()).data();
                for (float v : s) {
                    // torch.allclose(s, ones): |s - 1| <= 1e-8 + 1e-5
                    if (!(Math.abs(v - 1.0) <= 1e-8 + 1e-5)) {
                        throw new JlensException(file + ": tensor \"scaling_factor\" is not all ones (a fine-tuned scaling factor, which SAELens 6 cannot load either)");
                    }
                }
            }
            if (!extra.isEmpty()) throw new JlensException(file + ": unexpected tensor \"" + extra.first() + "\" for a " + cfg.architecture().configName + " SAE");
            for (Map.Entry<String, int[]> e : expected.entrySet()) {
                if (!c.names().contains(e.getKey())) throw new JlensException(file + ": tensor \"" + e.getKey() + "\" is missing (a " + cfg.architecture().configName + " SAE has " + String.join(", ", expected.keySet()) + ")");
                out.put(e.getKey(), read(c, e.getKey(), e.getValue()));
            }
        }
        return out;
    }

    private static Tensor read(Checkpoint c, String name, int... shape) {
        TensorInfo info = c.info(name);
        long[] actual = info.shape();
        long[] wanted = Arrays.stream(shape).asLongStream().toArray();
        if (!Arrays.equals(actual, wanted)) {
            throw new JlensException(c.file() + ": tensor \"" + name + "\" has shape " + Arrays.toString(actual) + ", but cfg.json's d_in and d_sae say " + Arrays.toString(wanted));
        }
        float[] values = c.readFloat32(name);
        for (float v : values) {
            if (!Float.isFinite(v)) throw new JlensException(c.file() + ": tensor \"" + name + "\" holds NaN or infinite values");
        }
        return Tensor.of(values, shape);
    }

    public SaeConfig cfg() {
        return cfg;
    }

    /** Where it was loaded from, for messages. */
    public String source() {
        return source;
    }

    /** The hook point it reads and replaces, e.g. {@code blocks.8.hook_resid_pre}. */
    public String hookName() {
        return cfg.hookName();
    }

    public Tensor wEnc() {
        return wEnc;
    }

    public Tensor wDec() {
        return wDec;
    }

    public Tensor bDec() {
        return bDec;
    }

    /** log10 of each feature's firing frequency in training ({@code sparsity.safetensors}), or null when the folder has none. */
    public Tensor sparsity() {
        return sparsity;
    }

    /** Refuses a feature index the SAE does not have, in one line. */
    public void checkFeature(int feature) {
        int dSae = cfg.dSae();
        if (feature < 0 || feature >= dSae) throw new JlensException("feature " + feature + " is out of range: the SAE has " + dSae + " features (0.." + (dSae - 1) + ")");
    }

    /** The names of the tensors it holds, for {@code sae info}. */
    public List<String> tensorNames() {
        return List.copyOf(expectedTensors(cfg).keySet());
    }

    // ---- the forward pass, on rows [n, d_in] -------------------------------------------------------

    /** The normalization of one call's rows, kept to undo it after decoding. */
    record Normalized(Tensor values, float[] scale, float[] mean) {}

    /** Step 2 of SAELens' {@code process_sae_in}: the rows normalized (a fresh tensor), with what undoes it. */
    Normalized normalize(Tensor x) {
        int n = x.size() / cfg.dIn(), d = cfg.dIn();
        float[] in = x.data(), out = x.toArray();
        int off = x.offset();
        switch (cfg.normalization()) {
            case CONSTANT_NORM_RESCALE -> {
                float[] coeff = new float[n];
                for (int i = 0; i < n; i++) {
                    double sq = 0;
                    for (int c = 0; c < d; c++) sq += (double) in[off + i * d + c] * in[off + i * d + c];
                    coeff[i] = (float) (Math.sqrt(d) / Math.sqrt(sq));
                    for (int c = 0; c < d; c++) out[i * d + c] *= coeff[i];
                }
                return new Normalized(Tensor.of(out, x.shape()), coeff, null);
            }
            case LAYER_NORM -> {
                float[] std = new float[n], mean = new float[n];
                for (int i = 0; i < n; i++) {
                    double sum = 0;
                    for (int c = 0; c < d; c++) sum += in[off + i * d + c];
                    mean[i] = (float) (sum / d);
                    double sq = 0;
                    for (int c = 0; c < d; c++) {
                        out[i * d + c] -= mean[i];
                        sq += (double) out[i * d + c] * out[i * d + c];
                    }
                    std[i] = (float) Math.sqrt(sq / (d - 1));  // torch.std: unbiased
                    float divisor = std[i] + 1e-5f;
                    for (int c = 0; c < d; c++) out[i * d + c] /= divisor;
                }
                return new Normalized(Tensor.of(out, x.shape()), std, mean);
            }
            default -> {
                return new Normalized(Tensor.of(out, x.shape()), null, null);
            }
        }
    }

    /** Undoes {@link #normalize} on a reconstruction, in place (layer norm: times the deviation plus the mean, no eps). */
    Tensor denormalize(Tensor recons, Normalized how) {
        int d = cfg.dIn(), n = recons.size() / d;
        float[] r = recons.data();
        int off = recons.offset();
        switch (cfg.normalization()) {
            case CONSTANT_NORM_RESCALE -> {
                for (int i = 0; i < n; i++) for (int c = 0; c < d; c++) r[off + i * d + c] /= how.scale()[i];
            }
            case LAYER_NORM -> {
                for (int i = 0; i < n; i++) for (int c = 0; c < d; c++) r[off + i * d + c] = r[off + i * d + c] * how.scale()[i] + how.mean()[i];
            }
            default -> { }
        }
        return recons;
    }

    /** The input of the encoder: normalized, minus {@code b_dec} if {@code apply_b_dec_to_input}. In place on a fresh tensor. */
    Tensor centered(Tensor normalized) {
        if (!cfg.applyBDecToInput()) return normalized;
        int d = cfg.dIn(), n = normalized.size() / d;
        float[] s = normalized.data(), b = bDec.data();
        int off = normalized.offset();
        for (int i = 0; i < n; i++) for (int c = 0; c < d; c++) s[off + i * d + c] -= b[c];
        return normalized;
    }

    /** {@code hook_sae_acts_pre}: the encoder's pre-activations (gated: the magnitude path). */
    Tensor preActivations(Tensor s) {
        return SaeKernels.affine(encoder, s, cfg.dSae(), cfg.architecture() == SaeArchitecture.GATED ? bMag : bEnc);
    }

    /**
     * {@code hook_sae_acts_post} from the pre-activations (a fresh tensor); {@code s} is the encoder's input, which
     * the gated architecture's gate path reads.
     */
    Tensor activations(Tensor pre, Tensor s) {
        int m = cfg.dSae();
        float[] post = pre.toArray();
        switch (cfg.architecture()) {
            case STANDARD -> SaeKernels.relu(post);
            case JUMPRELU -> {
                float[] th = threshold.data();
                for (int i = 0; i < post.length; i++) if (!(post[i] > th[i % m]) || post[i] < 0) post[i] = 0f;
            }
            case TOPK -> {
                if (decoderNorms != null) for (int i = 0; i < post.length; i++) post[i] *= decoderNorms[i % m];
                SaeKernels.keepTopK(post, m, cfg.k());
            }
            case GATED -> {
                Tensor gate = SaeKernels.affine(gateEncoder, s, m, bGate);
                float[] g = gate.data();
                for (int i = 0; i < post.length; i++) post[i] = g[i] > 0 && post[i] > 0 ? post[i] : 0f;
            }
        }
        return Tensor.of(post, pre.shape());
    }

    /** {@code hook_sae_recons}: {@code acts @ W_dec + b_dec}, still in the normalized space (top-k with rescale: acts / decoder norms first). */
    Tensor reconstruction(Tensor acts) {
        Tensor a = acts;
        if (decoderNorms != null) {
            float[] scaled = acts.toArray();
            for (int i = 0; i < scaled.length; i++) scaled[i] /= decoderNorms[i % cfg.dSae()];
            a = Tensor.of(scaled, acts.shape());
        }
        return SaeKernels.sparseDecode(a, wDec, bDec);
    }

    // ---- the backward pass, as PyTorch differentiates SAELens' forward ----------------------------

    /** The gradient of {@link #denormalize}'s input (the reconstruction) from that of its output. A fresh tensor. */
    Tensor denormalizeBackward(Tensor gOut, Normalized how) {
        int d = cfg.dIn(), n = gOut.size() / d;
        float[] g = gOut.toArray();
        switch (cfg.normalization()) {
            case CONSTANT_NORM_RESCALE -> {
                for (int i = 0; i < n; i++) for (int c = 0; c < d; c++) g[i * d + c] /= how.scale()[i];
            }
            case LAYER_NORM -> {
                for (int i = 0; i < n; i++) for (int c = 0; c < d; c++) g[i * d + c] *= how.scale()[i];
            }
            default -> { }
        }
        return Tensor.of(g, gOut.shape());
    }

    /**
     * The gradient with respect to the SAE's input rows {@code x} through the normalization, which reaches them twice:
     * through the normalized rows ({@code gNormalized}) and through the statistics that {@link #denormalize} reuses
     * (SAELens keeps them with their graph: {@code x_norm_coeff}, {@code ln_mu}, {@code ln_std}), given the
     * reconstruction {@code recons} it was applied to and its output's gradient {@code gOut}.
     */
    Tensor normalizationBackward(Tensor x, Normalized how, Tensor gNormalized, Tensor recons, Tensor gOut) {
        int d = cfg.dIn(), n = x.size() / d;
        float[] gx = gNormalized.toArray();
        if (cfg.normalization() != ActivationNormalization.CONSTANT_NORM_RESCALE && cfg.normalization() != ActivationNormalization.LAYER_NORM) {
            return Tensor.of(gx, x.shape());
        }
        float[] xv = x.toArray(), r = recons.toArray(), go = gOut.toArray();
        for (int i = 0; i < n; i++) {
            int o = i * d;
            double outDotRecons = 0;
            for (int c = 0; c < d; c++) outDotRecons += (double) go[o + c] * r[o + c];
            if (cfg.normalization() == ActivationNormalization.CONSTANT_NORM_RESCALE) {
                // n = x c with c = sqrt(d) / |x|; out = recons / c
                double coeff = how.scale()[i], xDotG = 0;
                for (int c = 0; c < d; c++) xDotG += (double) xv[o + c] * gx[o + c];
                for (int c = 0; c < d; c++) {
                    gx[o + c] = (float) (coeff * gx[o + c] - xv[o + c] * coeff * coeff * coeff * xDotG / d + outDotRecons * xv[o + c] * coeff / d);
                }
            } else {
                // y = x - mean, sigma = std(y) (n - 1), n = y / (sigma + 1e-5); out = recons sigma + mean
                double sigma = how.scale()[i], mean = how.mean()[i], divisor = (float) (how.scale()[i] + 1e-5f), outSum = 0, gNDotY = 0;
                for (int c = 0; c < d; c++) {
                    outSum += go[o + c];
                    gNDotY += gx[o + c] * (xv[o + c] - mean);
                }
                double gSigma = outDotRecons - gNDotY / (divisor * divisor);
                double[] gy = new double[d];
                double gySum = 0;
                for (int c = 0; c < d; c++) {
                    gy[c] = gx[o + c] / divisor + gSigma * (xv[o + c] - mean) / ((d - 1) * sigma);
                    gySum += gy[c];
                }
                for (int c = 0; c < d; c++) gx[o + c] = (float) (gy[c] - gySum / d + outSum / d);
            }
        }
        return Tensor.of(gx, x.shape());
    }

    /**
     * The gradient of the pre-activations from that of {@code hook_sae_acts_post}: it passes where the feature fired
     * ({@code post}, the activation function's output, is positive) and is 0 elsewhere, for every architecture (the
     * ReLU, JumpReLU's and gated's masks and top-k's selection are constant almost everywhere); times the decoder
     * norm for top-k with {@code rescale_acts_by_decoder_norm}. A fresh tensor.
     */
    Tensor activationsBackward(Tensor post, Tensor gPost) {
        int m = cfg.dSae();
        float[] p = post.data(), g = gPost.toArray();
        int off = post.offset();
        for (int i = 0; i < g.length; i++) {
            if (!(p[off + i] > 0f)) g[i] = 0f;
            else if (decoderNorms != null) g[i] *= decoderNorms[i % m];
        }
        return Tensor.of(g, gPost.shape());
    }

    /** The gradient of {@code hook_sae_acts_post} from that of {@code hook_sae_recons}: {@code g @ W_dec.T} (top-k with rescale: / decoder norms). */
    Tensor reconstructionBackward(Tensor gRecons) {
        Tensor g = SaeKernels.decodeBackward(gRecons, wDec);
        if (decoderNorms != null) {
            float[] v = g.data();
            for (int i = 0; i < v.length; i++) v[i] /= decoderNorms[i % cfg.dSae()];
        }
        return g;
    }

    /** The gradient of the encoder's input from that of {@code hook_sae_acts_pre}: {@code g @ W_enc.T} (gated: the magnitude path's matrix; the gate is a step). */
    Tensor preActivationsBackward(Tensor gPre) {
        return SaeKernels.affineBackward(encoder, gPre);
    }

    /** The encoder: input rows [..., d_in] to feature activations [..., d_sae] ({@code SAE.encode}). */
    public Tensor encode(Tensor x) {
        Tensor s = centered(normalize(x).values());
        return activations(preActivations(s), s);
    }

    /** The decoder: feature activations [..., d_sae] to the input space, with the normalization of {@code x} undone. */
    public Tensor decode(Tensor acts, Tensor x) {
        return denormalize(reconstruction(acts), normalize(x));
    }

    /** The whole SAE on rows [..., d_in]: {@code decode(encode(x))}. */
    public Tensor forward(Tensor x) {
        Normalized nx = normalize(x);
        Tensor s = centered(nx.values());
        return denormalize(reconstruction(activations(preActivations(s), s)), nx);
    }
}
