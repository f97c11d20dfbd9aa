package dev.jlens.model;

import dev.jlens.JlensException;
import dev.jlens.io.Checkpoint;
import dev.jlens.io.ShardedCheckpoint;
import dev.jlens.io.FileKind;
import dev.jlens.tensor.PackedMatrix;
import dev.jlens.tensor.Parallel;
import dev.jlens.tensor.RowTable;
import dev.jlens.tensor.WarmUp;
import dev.jlens.tokenizer.Tokenizer;
import dev.jlens.tokenizer.Tokenizers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;

/**
 * Loads a GPT-2 from a folder in the Hugging Face layout: config.json, the tokenizer files, and
 * model.safetensors (preferred) or pytorch_model.bin. Converts and processes one block at a time, so the
 * peak memory is the packed model plus one block, not two copies of the model.
 */
final class ModelLoader {
    private ModelLoader() {}

    static HookedTransformer load(Path dir, String modelName, WeightProcessing.Options options, CacheSettings cache) {
        return load(dir, modelName, options, JlensRuntime.defaults().withCache(cache));
    }

    static HookedTransformer load(Path dir, String modelName, WeightProcessing.Options options, JlensRuntime runtime) {
        return runtime.call(() -> loadOnThisThread(dir, modelName, options, runtime));
    }

    private static HookedTransformer loadOnThisThread(Path dir, String modelName, WeightProcessing.Options options, JlensRuntime runtime) {
        CacheSettings cache = runtime.cache();
        if (!Files.exists(dir)) throw new JlensException("model folder " + dir + " does not exist");
        if (!Files.isDirectory(dir)) throw new JlensException("model path " + dir + " is not a folder (a Hugging Face model folder with config.json is expected)");
        Path configJson = dir.resolve("config.json");
        if (!Files.isRegularFile(configJson)) {
            FileKind.refuseOtherKinds("a config file", configJson);
            throw new JlensException("model folder " + dir + " has no config.json");
        }
        ModelConfig cfg = ModelConfig.fromHuggingFace(configJson, modelName, options.foldLn());
        Path weightsFile = weightsFile(dir);
        if (runtime.warmUp()) WarmUp.startInBackground();
        // The tokenizer loads on its own thread while the weights are read and processed.
        CompletableFuture<Tokenizer> tokenizerLoad = CompletableFuture.supplyAsync(() -> Tokenizers.fromFolder(dir, cache.folder()),
                runnable -> Thread.ofPlatform().name("jlens-tokenizer-load").daemon().start(runnable));
        ModelWeights weights = cachedOrProcessed(weightsFile, cfg, options, runtime);
        Tokenizer tokenizer;
        try {
            tokenizer = tokenizerLoad.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw e;
        }
        if (tokenizer.vocabSize() > cfg.dVocab()) {
            throw new JlensException(dir + ": the tokenizer has " + tokenizer.vocabSize() + " tokens but config.json's vocab_size is " + cfg.dVocab());
        }
        return new HookedTransformer(cfg, weights, tokenizer, runtime);
    }

    /**
     * The weights from the processed-weights cache when it has them, else read and processed from the
     * checkpoint and then cached. A cache that cannot be read or written costs time, never the load.
     */
    private static ModelWeights cachedOrProcessed(Path weightsFile, ModelConfig cfg, WeightProcessing.Options options, JlensRuntime runtime) {
        CacheSettings cache = runtime.cache();
        WeightsCache.Entry entry = null;
        try {
            if (cache.folder().isPresent()) entry = WeightsCache.entryFor(cache.folder().get(), weightsFile, cfg, options);
        } catch (java.io.IOException | RuntimeException e) {
            entry = null;
        }
        if (entry != null) {
            Optional<ModelWeights> cached = WeightsCache.read(entry, cfg, cache.notices());
            if (cached.isPresent()) return cached.get();
        }
        // Converting the checkpoint keeps every core busy, and compiles the kernels' neighbors anyway: a
        // kernel warm-up still running would only slow it down.
        WarmUp.stop();
        ModelWeights weights;
        try (Checkpoint ckpt = Checkpoint.open(weightsFile)) {
            weights = readWeights(ckpt, cfg, options);
        }
        if (entry != null) WeightsCache.writeLater(entry, weights, cache.maxBytes());
        // Converting a big checkpoint leaves the heap grown by hundreds of MB of dead arrays, which the
        // collector would keep committed through the whole analysis that follows; one full collection hands
        // them back (gpt2-large's first run had peaked up to 5 GB), when the runtime allows it. Not worth its
        // pause for small models.
        if (cfg.nParams() * Float.BYTES > LARGE_CHECKPOINT_BYTES) runtime.collectGarbage();
        return weights;
    }

    /** Above this many bytes of block weights (gpt2-medium has 1.2 GB, gpt2 0.34 GB), a conversion ends with a full GC. */
    private static final long LARGE_CHECKPOINT_BYTES = 1L << 30;

    static Path weightsFile(Path dir) {
        Path safetensors = dir.resolve("model.safetensors");
        if (Files.isRegularFile(safetensors)) return safetensors;
        if (ShardedCheckpoint.isIn(dir)) return dir.resolve(ShardedCheckpoint.INDEX);
        Path bin = dir.resolve("pytorch_model.bin");
        if (Files.isRegularFile(bin)) return bin;
        FileKind.refuseOtherKinds("a weights file", safetensors, bin);
        String present;
        try (Stream<Path> files = Files.list(dir)) {
            present = String.join(", ", files.map(p -> p.getFileName().toString()).sorted().toList());
        } catch (java.io.IOException e) {
            present = "(cannot list: " + e.getMessage() + ")";
        }
        throw new JlensException("model folder " + dir + " has neither model.safetensors nor pytorch_model.bin (it has: " + present + ")");
    }

    /**
     * Reads, processes and packs the weights as independent tasks spread over the cores: the unembedding,
     * the embeddings, and each block (reading from the mapped file is thread-safe). The largest task, the
     * unembedding, comes first, so that no core is left with it while the other has finished; the
     * embeddings, as large in memory, come last, so the two are never on the heap together (gpt2-large's
     * first load peaked 0.3 GB higher when they were).
     */
    static ModelWeights readWeights(Checkpoint ckpt, ModelConfig cfg, WeightProcessing.Options options) {
        CheckpointReader hf = Architectures.of(cfg).reader(ckpt, cfg);
        ModelParams p = new ModelParams();
        PackedMatrix[] wU = new PackedMatrix[1];
        ModelWeights.Layer[] layers = new ModelWeights.Layer[cfg.nLayers()];
        int unembed = 0, firstBlock = 1, embeddings = firstBlock + layers.length;
        Parallel.forEach(embeddings + 1, task -> {
            if (task == unembed) {
                // A copy of the original token embedding (or lm_head), independent of W_E's centring.
                hf.readUnembed(p);
                WeightProcessing.processUnembed(p, options, cfg);
                wU[0] = PackedMatrix.packTransposed(p.wUT);
                p.wUT = null;
            } else if (task == embeddings) {
                hf.readEmbeddings(p);
                WeightProcessing.processEmbeddings(p, options, cfg);
            } else {
                ModelParams.Block b = hf.readBlock(task - firstBlock);
                WeightProcessing.processBlock(b, options, cfg);
                layers[task - firstBlock] = ModelWeights.Layer.pack(b);
            }
        });
        return new ModelWeights(RowTable.of(p.wE), p.wPos == null ? null : RowTable.of(p.wPos), wU[0], p.bU.toArray(), ModelWeights.valuesOrNull(p.lnfW), ModelWeights.valuesOrNull(p.lnfB), layers);
    }
}
