package dev.jlens.sae;

import dev.jlens.io.Checkpoint;
import dev.jlens.io.SafetensorsWriter;
import dev.jlens.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SAELens' top-k with {@code rescale_acts_by_decoder_norm}: the top k are chosen on the pre-activations times each
 * decoder row's norm, and the activations are divided by it again before decoding. Checked with float64 loops on a
 * fixture SAE whose decoder rows were given norms between 0.5 and 2.
 */
class DecoderNormTest {
    @TempDir
    Path tmp;

    /** The fixture's top-k SAE with rescale_acts_by_decoder_norm on and decoder rows of norms between 0.5 and 2: its folder and tensors. */
    private LinkedHashMap<String, SafetensorsWriter.Tensor> writeRescaled(Path folder) throws IOException {
        Files.createDirectories(folder);
        Path from = SaeFixtures.folder("topk");
        Files.writeString(folder.resolve("cfg.json"), Files.readString(from.resolve("cfg.json")).replace("\"rescale_acts_by_decoder_norm\": false", "\"rescale_acts_by_decoder_norm\": true"));
        Random r = new Random(5);
        LinkedHashMap<String, SafetensorsWriter.Tensor> tensors = new LinkedHashMap<>();
        int dIn = 64, dSae = 256;
        float[] scale = new float[dSae];
        for (int j = 0; j < dSae; j++) scale[j] = 0.5f + 1.5f * r.nextFloat();
        try (Checkpoint c = Checkpoint.open(from.resolve("sae_weights.safetensors"))) {
            for (String name : c.names()) {
                float[] v = c.readFloat32(name);
                if (name.equals("W_dec")) for (int j = 0; j < dSae; j++) for (int i = 0; i < dIn; i++) v[j * dIn + i] *= scale[j];
                tensors.put(name, new SafetensorsWriter.Tensor(c.info(name).shape(), v));
            }
        }
        SafetensorsWriter.write(folder.resolve("sae_weights.safetensors"), tensors, Map.of());
        return tensors;
    }

    @Test
    void theGradientWithRescaleIsThatOfTheNormScaledForward() throws IOException {
        LinkedHashMap<String, SafetensorsWriter.Tensor> t = writeRescaled(tmp.resolve("topk-rescale"));
        Sae sae = Sae.load(tmp.resolve("topk-rescale"));
        float[] wEnc = t.get("W_enc").values(), wDec = t.get("W_dec").values(), bEnc = t.get("b_enc").values(), bDec = t.get("b_dec").values();
        int dIn = 64, dSae = 256, k = 5;
        double[] norm = new double[dSae];
        for (int j = 0; j < dSae; j++) {
            for (int i = 0; i < dIn; i++) norm[j] += (double) wDec[j * dIn + i] * wDec[j * dIn + i];
            norm[j] = Math.sqrt(norm[j]);
        }
        // the forward in float64: pre, times the norms, top k and ReLU, divided by the norms, decoded
        java.util.function.Function<double[], double[]> forward = x -> {
            double[] scaled = new double[dSae];
            for (int j = 0; j < dSae; j++) {
                double pre = bEnc[j];
                for (int i = 0; i < dIn; i++) pre += (x[i] - bDec[i]) * wEnc[i * dSae + j];
                scaled[j] = pre * norm[j];
            }
            double[] sorted = scaled.clone();
            Arrays.sort(sorted);
            double[] out = new double[dIn];
            for (int i = 0; i < dIn; i++) out[i] = bDec[i];
            for (int j = 0; j < dSae; j++) {
                if (scaled[j] >= sorted[dSae - k] && scaled[j] > 0) for (int i = 0; i < dIn; i++) out[i] += scaled[j] / norm[j] * wDec[j * dIn + i];
            }
            return out;
        };
        Random r = new Random(7);
        float[] x = new float[dIn], g = new float[dIn];
        double[] xd = new double[dIn], gd = new double[dIn];
        for (int i = 0; i < dIn; i++) {
            x[i] = (float) r.nextGaussian();
            g[i] = (float) r.nextGaussian();
            xd[i] = x[i];
            gd[i] = g[i];
        }
        double[] expected = ReferenceSae.gradient(forward, xd, gd);
        dev.jlens.hooks.Splice.Traced traced = new SaeSplice(sae, false).trace(Tensor.of(x, 1, dIn), (child, a) -> a);
        float[] got = traced.backward().apply(Tensor.of(g, 1, dIn), (child, a) -> a).toArray();
        double max = 0;
        for (double v : expected) max = Math.max(max, Math.abs(v));
        assertThat(max).as("the gradient is large enough to tell").isGreaterThan(1e-2);
        for (int i = 0; i < dIn; i++) assertThat((double) got[i]).as("d/dx " + i).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-4 * (1 + max)));
    }

    @Test
    void topKWithRescaleChoosesOnNormScaledPreActivationsAndDecodesWithTheRawRows() throws IOException {
        Path folder = tmp.resolve("topk-rescale");
        LinkedHashMap<String, SafetensorsWriter.Tensor> tensors = writeRescaled(folder);
        Random r = new Random(5);
        for (int j = 0; j < 256; j++) r.nextFloat();  // the draws of the norms, so x is the one it always was
        int dIn = 64, dSae = 256, k = 5;
        Sae sae = Sae.load(folder);
        assertThat(sae.cfg().rescaleActsByDecoderNorm()).isTrue();

        float[] wEnc = tensors.get("W_enc").values(), wDec = tensors.get("W_dec").values(), bEnc = tensors.get("b_enc").values(), bDec = tensors.get("b_dec").values();
        float[] x = new float[dIn];
        for (int i = 0; i < dIn; i++) x[i] = (float) r.nextGaussian();
        double[] norm = new double[dSae], scaled = new double[dSae];
        for (int j = 0; j < dSae; j++) {
            for (int i = 0; i < dIn; i++) norm[j] += (double) wDec[j * dIn + i] * wDec[j * dIn + i];
            norm[j] = Math.sqrt(norm[j]);
            double pre = bEnc[j];
            for (int i = 0; i < dIn; i++) pre += (x[i] - bDec[i]) * wEnc[i * dSae + j];
            scaled[j] = pre * norm[j];
        }
        double[] unscaled = new double[dSae];
        for (int j = 0; j < dSae; j++) unscaled[j] = scaled[j] / norm[j];
        assertThat(topSet(unscaled, k)).as("the norms change which features are chosen").isNotEqualTo(topSet(scaled, k));
        double[] sorted = scaled.clone();
        Arrays.sort(sorted);
        double kth = sorted[dSae - k];
        double[] expectedActs = new double[dSae], expectedOut = new double[dIn];
        for (int j = 0; j < dSae; j++) expectedActs[j] = scaled[j] >= kth ? Math.max(0, scaled[j]) : 0;
        for (int i = 0; i < dIn; i++) {
            expectedOut[i] = bDec[i];
            for (int j = 0; j < dSae; j++) expectedOut[i] += expectedActs[j] / norm[j] * wDec[j * dIn + i];
        }
        float[] acts = sae.encode(Tensor.of(x.clone(), 1, dIn)).toArray();
        float[] out = sae.forward(Tensor.of(x.clone(), 1, dIn)).toArray();
        for (int j = 0; j < dSae; j++) assertThat((double) acts[j]).as("activation " + j).isCloseTo(expectedActs[j], org.assertj.core.data.Offset.offset(1e-4 * (1 + Math.abs(expectedActs[j]))));
        for (int i = 0; i < dIn; i++) assertThat((double) out[i]).as("output " + i).isCloseTo(expectedOut[i], org.assertj.core.data.Offset.offset(1e-4 * (1 + Math.abs(expectedOut[i]))));
        assertThat(Arrays.stream(expectedActs).filter(v -> v > 0).count()).as("features that fire").isBetween(1L, (long) k);
    }

    private static java.util.Set<Integer> topSet(double[] v, int k) {
        double[] sorted = v.clone();
        Arrays.sort(sorted);
        java.util.Set<Integer> out = new java.util.HashSet<>();
        for (int j = 0; j < v.length; j++) if (v[j] >= sorted[v.length - k]) out.add(j);
        return out;
    }
}
