package dev.jlens.bench;

import dev.jlens.JlensException;
import dev.jlens.io.AtomicFile;
import dev.jlens.io.SafetensorsWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes a GPT-2 of a real shape with random weights, in the layout of the hub's {@code gpt2} folder
 * (config.json, model.safetensors with un-prefixed keys, the tokenizer files), for benchmarks where the
 * real weights cannot be downloaded. Weights are N(0, 0.02), layer-norm weights 1 + N(0, 0.02), as the
 * PyTorch yardstick draws them.
 */
public final class RandomGpt2 {
    /** A GPT-2 family shape. */
    public enum Shape {
        SMALL(12, 12, 768), MEDIUM(24, 16, 1024), LARGE(36, 20, 1280), XL(48, 25, 1600);

        public final int nLayers, nHeads, dModel;

        Shape(int nLayers, int nHeads, int dModel) {
            this.nLayers = nLayers;
            this.nHeads = nHeads;
            this.dModel = dModel;
        }

        public static Shape of(String name) {
            String n = name.toLowerCase(Locale.ROOT).replace("gpt2-", "");
            for (Shape s : values()) if (s.name().toLowerCase(Locale.ROOT).equals(n)) return s;
            List<String> names = new java.util.ArrayList<>(List.of("small", "medium", "large", "xl"));
            for (RandomPythia.Shape p : RandomPythia.Shape.values()) names.add(p.modelName());
            throw new JlensException("unknown shape '" + name + "' (" + String.join(", ", names) + ")");
        }
    }

    private static final int VOCAB = 50257, N_CTX = 1024;
    private static final List<String> TOKENIZER_FILES = List.of("vocab.json", "merges.txt", "tokenizer.json", "tokenizer_config.json");

    private RandomGpt2() {}

    /**
     * Writes the folder, which must be new or empty (an existing model is never overwritten); the weights come last,
     * so a run cut short leaves a folder that does not load as a model. {@code tokenizerFrom} is a folder with
     * GPT-2's vocab.json and merges.txt (and tokenizer.json if present).
     */
    public static void write(Path out, Shape shape, long seed, Path tokenizerFrom) {
        write(out, shape.nLayers, shape.nHeads, shape.dModel, seed, tokenizerFrom);
    }

    /** Any GPT-2 shape (d_mlp = 4 d_model, vocabulary 50257, context 1024). */
    public static void write(Path out, int nLayers, int nHeads, int dModel, long seed, Path tokenizerFrom) {
        startFolder(out, tokenizerFrom, config(nLayers, nHeads, dModel));
        SafetensorsWriter.write(out.resolve("model.safetensors"), weights(nLayers, dModel, seed), Map.of("format", "pt"));
    }

    /**
     * Makes {@code out} (new or empty: an existing model is never overwritten) with the tokenizer files of
     * {@code tokenizerFrom} (checked before anything is written) and {@code configJson}; the weights come next.
     */
    static void startFolder(Path out, Path tokenizerFrom, String configJson) {
        List<String> tokenizerFiles = tokenizerFiles(tokenizerFrom);
        if (Files.exists(out) && !Files.isDirectory(out)) throw new JlensException(out + ": cannot be written (it is a file, not a folder)");
        if (!isEmptyOrMissing(out)) throw new JlensException(out + ": is a folder that is not empty (a model?); give a new or empty folder");
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new JlensException(out + ": cannot be written (" + e.getMessage() + ")");
        }
        for (String f : tokenizerFiles) AtomicFile.copy(tokenizerFrom.resolve(f), out.resolve(f));
        AtomicFile.writeString(out.resolve("config.json"), configJson);
    }

    private static boolean isEmptyOrMissing(Path folder) {
        if (!Files.exists(folder)) return true;
        try (java.util.stream.Stream<Path> files = Files.list(folder)) {
            return files.findAny().isEmpty();
        } catch (IOException e) {
            throw new JlensException(folder + ": cannot be read (" + e.getMessage() + ")");
        }
    }

    /** The tokenizer files of {@code folder}, which must hold vocab.json + merges.txt or tokenizer.json. */
    private static List<String> tokenizerFiles(Path folder) {
        List<String> present = TOKENIZER_FILES.stream().filter(f -> Files.isRegularFile(folder.resolve(f))).toList();
        if (!present.contains("tokenizer.json") && !present.containsAll(List.of("vocab.json", "merges.txt"))) {
            throw new JlensException(folder + ": no GPT-2 tokenizer files (vocab.json + merges.txt or tokenizer.json)");
        }
        return present;
    }

    static String config(int nLayers, int nHeads, int dModel) {
        return """
                {
                  "activation_function": "gelu_new",
                  "architectures": ["GPT2LMHeadModel"],
                  "bos_token_id": 50256,
                  "eos_token_id": 50256,
                  "initializer_range": 0.02,
                  "layer_norm_epsilon": 1e-05,
                  "model_type": "gpt2",
                  "n_ctx": %d,
                  "n_embd": %d,
                  "n_head": %d,
                  "n_layer": %d,
                  "n_positions": %d,
                  "vocab_size": %d
                }
                """.formatted(N_CTX, dModel, nHeads, nLayers, N_CTX, VOCAB);
    }

    private static LinkedHashMap<String, SafetensorsWriter.Tensor> weights(int nLayers, int d, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int m = 4 * d;
        LinkedHashMap<String, SafetensorsWriter.Tensor> w = new LinkedHashMap<>();
        w.put("wte.weight", normal(rnd, 0, VOCAB, d));
        w.put("wpe.weight", normal(rnd, 0, N_CTX, d));
        for (int l = 0; l < nLayers; l++) {
            String h = "h." + l + ".";
            w.put(h + "ln_1.weight", normal(rnd, 1, d));
            w.put(h + "ln_1.bias", normal(rnd, 0, d));
            w.put(h + "attn.c_attn.weight", normal(rnd, 0, d, 3 * d));
            w.put(h + "attn.c_attn.bias", normal(rnd, 0, 3 * d));
            w.put(h + "attn.c_proj.weight", normal(rnd, 0, d, d));
            w.put(h + "attn.c_proj.bias", normal(rnd, 0, d));
            w.put(h + "ln_2.weight", normal(rnd, 1, d));
            w.put(h + "ln_2.bias", normal(rnd, 0, d));
            w.put(h + "mlp.c_fc.weight", normal(rnd, 0, d, m));
            w.put(h + "mlp.c_fc.bias", normal(rnd, 0, m));
            w.put(h + "mlp.c_proj.weight", normal(rnd, 0, m, d));
            w.put(h + "mlp.c_proj.bias", normal(rnd, 0, d));
        }
        w.put("ln_f.weight", normal(rnd, 1, d));
        w.put("ln_f.bias", normal(rnd, 0, d));
        return w;
    }

    static SafetensorsWriter.Tensor normal(SplittableRandom rnd, float mean, int... shape) {
        long n = 1;
        for (int x : shape) n *= x;
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) v[i] = mean + (float) (rnd.nextGaussian() * 0.02);
        long[] sh = new long[shape.length];
        for (int i = 0; i < shape.length; i++) sh[i] = shape[i];
        return new SafetensorsWriter.Tensor(sh, v);
    }
}
