package dev.jlens.sae;

import dev.jlens.Fixtures;
import dev.jlens.cache.ActivationCache;
import dev.jlens.io.SafetensorsWriter;
import dev.jlens.model.HookedTransformer;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * "The same must hold on a checkpoint you have not seen": SAEs written by the test itself, of widths and settings no
 * fixture has (d_sae 40 to 104, other hook points, other config formats), loaded from disk, spliced into fixture model
 * A, and every SAE hook value compared with {@link ReferenceSae}'s float64 loops over the very input the SAE saw.
 */
class UnseenSaeTest {
    private static final HookedTransformer PLAIN = Fixtures.model("a");
    private static final IntTensor TOKENS = IntTensor.of(Fixtures.ints(SaeFixtures.reference().get("tokens")), 1, -1);

    @TempDir
    Path tmp;

    /**
     * Each case: the settings (as ReferenceSae reads them), then the cfg.json jlens loads. The settings are written
     * twice on purpose: the reference never reads cfg.json.
     */
    private static final Map<String, String[]> CASES = Map.of(
            "jumprelu-layernorm", new String[]{
                    "{\"architecture\": \"jumprelu\", \"normalize_activations\": \"layer_norm\", \"apply_b_dec_to_input\": true}",
                    "{\"d_in\": 64, \"d_sae\": 104, \"dtype\": \"float32\", \"apply_b_dec_to_input\": true, \"normalize_activations\": \"layer_norm\", "
                            + "\"architecture\": \"jumprelu\", \"metadata\": {\"sae_lens_version\": \"6.5.1\", \"hook_name\": \"blocks.1.hook_resid_mid\"}}"},
            "gated-constnorm-v5", new String[]{
                    "{\"architecture\": \"gated\", \"normalize_activations\": \"constant_norm_rescale\", \"apply_b_dec_to_input\": false}",
                    "{\"architecture\": \"gated\", \"d_in\": 64, \"d_sae\": 40, \"dtype\": \"float32\", \"hook_name\": \"blocks.3.hook_mlp_out\", "
                            + "\"hook_layer\": 3, \"activation_fn_str\": \"relu\", \"apply_b_dec_to_input\": false, "
                            + "\"normalize_activations\": \"constant_norm_rescale\", \"sae_lens_training_version\": \"4.2.0\"}"},
            "topk-legacy", new String[]{
                    "{\"architecture\": \"topk\", \"normalize_activations\": \"none\", \"apply_b_dec_to_input\": true, \"k\": 7}",
                    "{\"d_in\": 64, \"d_sae\": 72, \"dtype\": \"torch.float32\", \"hook_point\": \"blocks.0.hook_resid_post\", "
                            + "\"activation_fn\": \"topk\", \"activation_fn_kwargs\": {\"k\": 7}, \"apply_b_dec_to_input\": true}"},
            "standard-no-bdec", new String[]{
                    "{\"architecture\": \"standard\", \"normalize_activations\": \"none\", \"apply_b_dec_to_input\": false}",
                    "{\"d_in\": 64, \"d_sae\": 88, \"dtype\": \"float32\", \"apply_b_dec_to_input\": false, \"architecture\": \"standard\", "
                            + "\"metadata\": {\"sae_lens_version\": \"6.0.0\", \"hook_name\": \"blocks.2.hook_attn_out\"}}"});

    @ParameterizedTest
    @ValueSource(strings = {"jumprelu-layernorm", "gated-constnorm-v5", "topk-legacy", "standard-no-bdec"})
    void everyHookValueMatchesAFloat64ReferenceOnAnSaeWrittenHere(String name) throws IOException {
        JsonNode settings = JsonMapper.builder().build().readTree(CASES.get(name)[0]);
        JsonNode cfg = JsonMapper.builder().build().readTree(CASES.get(name)[1]);
        String architecture = settings.get("architecture").asString();
        int dIn = cfg.get("d_in").asInt(), dSae = cfg.get("d_sae").asInt();
        Map<String, Tensor> weights = randomWeights(architecture, dIn, dSae, new Random(name.hashCode()));
        Path folder = Files.createDirectories(tmp.resolve(name));
        Files.writeString(folder.resolve("cfg.json"), CASES.get(name)[1]);
        LinkedHashMap<String, SafetensorsWriter.Tensor> file = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : weights.entrySet()) {
            long[] shape = java.util.Arrays.stream(e.getValue().shape()).asLongStream().toArray();
            file.put(e.getKey(), new SafetensorsWriter.Tensor(shape, e.getValue().toArray()));
        }
        SafetensorsWriter.write(folder.resolve("sae_weights.safetensors"), file, Map.of("format", "pt"));

        Sae sae = Sae.load(folder);
        String hook = sae.hookName();
        assertThat(hook).isEqualTo(cfg.has("metadata") ? cfg.get("metadata").get("hook_name").asString()
                : cfg.has("hook_point") ? cfg.get("hook_point").asString() : cfg.get("hook_name").asString());
        ActivationCache cache = Saes.withSaes(PLAIN, false, sae).runWithCache(TOKENS).cache();
        ReferenceSae ref = new ReferenceSae(settings, weights::get);

        // the SAE's input is the plain model's activation there (nothing upstream is spliced in)
        Tensor x = PLAIN.runWithCache(TOKENS).cache().get(hook).squeeze(0);
        SaeFixtures.assertClose(name + " input", cache.get(hook + ".hook_sae_input").squeeze(0), x);
        int positions = x.shape(0);
        Tensor pre = Tensor.zeros(positions, dSae), post = Tensor.zeros(positions, dSae), out = Tensor.zeros(positions, dIn);
        int firing = 0;
        for (int p = 0; p < positions; p++) {
            double[] row = new double[dIn];
            for (int c = 0; c < dIn; c++) row[c] = x.item(p, c);
            double[] s = ref.centered(row), a = ref.pre(s), f = ref.post(a, s), o = ref.decode(f, row);
            for (int j = 0; j < dSae; j++) {
                pre.put((float) a[j], p, j);
                post.put((float) f[j], p, j);
                if (f[j] > 0) firing++;
            }
            for (int c = 0; c < dIn; c++) out.put((float) o[c], p, c);
        }
        // a test that can fail: some features fire and some do not
        assertThat(firing).as("features firing").isBetween(positions, positions * (dSae - 1));
        SaeFixtures.assertClose(name + " acts_pre", cache.get(hook + ".hook_sae_acts_pre").squeeze(0), pre);
        SaeFixtures.assertClose(name + " acts_post", cache.get(hook + ".hook_sae_acts_post").squeeze(0), post);
        SaeFixtures.assertClose(name + " output", cache.get(hook + ".hook_sae_output").squeeze(0), out);
    }

    /** Weights of the scale a trained SAE has: unit-ish decoder rows, W_enc near W_dec^T, biases that let some features fire. */
    private static Map<String, Tensor> randomWeights(String architecture, int dIn, int dSae, Random r) {
        float[] wEnc = new float[dIn * dSae], wDec = new float[dSae * dIn];
        for (int j = 0; j < dSae; j++) {
            for (int c = 0; c < dIn; c++) {
                wDec[j * dIn + c] = (float) (r.nextGaussian() / Math.sqrt(dIn));
                wEnc[c * dSae + j] = (float) (wDec[j * dIn + c] + 0.3 * r.nextGaussian() / Math.sqrt(dIn));
            }
        }
        Map<String, Tensor> w = new LinkedHashMap<>();
        w.put("W_enc", Tensor.of(wEnc, dIn, dSae));
        w.put("W_dec", Tensor.of(wDec, dSae, dIn));
        w.put("b_dec", Tensor.of(gaussian(r, dIn, 0.1), dIn));
        switch (architecture) {
            case "gated" -> {
                w.put("b_gate", Tensor.of(gaussian(r, dSae, 0.2), dSae));
                w.put("b_mag", Tensor.of(gaussian(r, dSae, 0.2), dSae));
                w.put("r_mag", Tensor.of(gaussian(r, dSae, 0.3), dSae));
            }
            case "jumprelu" -> {
                w.put("b_enc", Tensor.of(gaussian(r, dSae, 0.2), dSae));
                float[] threshold = new float[dSae];
                for (int j = 0; j < dSae; j++) threshold[j] = (float) (0.05 + 0.2 * r.nextDouble());
                w.put("threshold", Tensor.of(threshold, dSae));
            }
            default -> w.put("b_enc", Tensor.of(gaussian(r, dSae, 0.2), dSae));
        }
        return w;
    }

    private static float[] gaussian(Random r, int n, double sd) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (sd * r.nextGaussian());
        return v;
    }
}
