package dev.jlens.model;

import dev.jlens.JlensException;
import dev.jlens.io.Checkpoint;
import dev.jlens.tensor.PackedMatrix;
import dev.jlens.tokenizer.Gpt2Tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Loads a GPT-2 from a folder in the Hugging Face layout: config.json, the tokenizer files, and
 * model.safetensors (preferred) or pytorch_model.bin. Converts and processes one block at a time, so the
 * peak memory is the packed model plus one block, not two copies of the model.
 */
final class ModelLoader {
    private ModelLoader() {}

    static HookedTransformer load(Path dir, String modelName, WeightProcessing.Options options) {
        if (!Files.exists(dir)) throw new JlensException("model folder " + dir + " does not exist");
        if (!Files.isDirectory(dir)) throw new JlensException("model path " + dir + " is not a folder (a Hugging Face model folder with config.json is expected)");
        Path configJson = dir.resolve("config.json");
        if (!Files.isRegularFile(configJson)) throw new JlensException("model folder " + dir + " has no config.json");
        ModelConfig cfg = ModelConfig.fromHuggingFace(configJson, modelName, options.foldLn());
        Path weightsFile = weightsFile(dir);
        Gpt2Tokenizer tokenizer = Gpt2Tokenizer.load(dir);
        if (tokenizer.vocabSize() > cfg.dVocab()) {
            throw new JlensException(dir + ": the tokenizer has " + tokenizer.vocabSize() + " tokens but config.json's vocab_size is " + cfg.dVocab());
        }
        try (Checkpoint ckpt = Checkpoint.open(weightsFile)) {
            return new HookedTransformer(cfg, readWeights(ckpt, cfg, options), tokenizer);
        }
    }

    static Path weightsFile(Path dir) {
        Path safetensors = dir.resolve("model.safetensors");
        if (Files.isRegularFile(safetensors)) return safetensors;
        Path bin = dir.resolve("pytorch_model.bin");
        if (Files.isRegularFile(bin)) return bin;
        String present;
        try (Stream<Path> files = Files.list(dir)) {
            present = String.join(", ", files.map(p -> p.getFileName().toString()).sorted().toList());
        } catch (java.io.IOException e) {
            present = "(cannot list: " + e.getMessage() + ")";
        }
        throw new JlensException("model folder " + dir + " has neither model.safetensors nor pytorch_model.bin (it has: " + present + ")");
    }

    static ModelWeights readWeights(Checkpoint ckpt, ModelConfig cfg, WeightProcessing.Options options) {
        HuggingFaceGpt2 hf = new HuggingFaceGpt2(ckpt, cfg);
        ModelParams p = new ModelParams();
        // The unembedding is a copy of the original token embedding, taken before W_E is centred.
        hf.readUnembed(p);
        WeightProcessing.processUnembed(p, options);
        PackedMatrix wU = PackedMatrix.pack(p.wU);
        p.wU = null;
        hf.readEmbeddings(p);
        WeightProcessing.processEmbeddings(p, options);
        ModelWeights.Layer[] layers = new ModelWeights.Layer[cfg.nLayers()];
        for (int l = 0; l < layers.length; l++) {
            ModelParams.Block b = hf.readBlock(l);
            WeightProcessing.processBlock(b, options);
            layers[l] = ModelWeights.Layer.pack(b);
        }
        return new ModelWeights(p.wE, p.wPos, wU, p.bU.toArray(), arr(p.lnfW), arr(p.lnfB), layers);
    }

    private static float[] arr(dev.jlens.tensor.Tensor t) {
        return t == null ? null : t.toArray();
    }
}
