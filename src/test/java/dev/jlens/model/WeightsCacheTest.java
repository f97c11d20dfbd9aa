package dev.jlens.model;

import dev.jlens.Fixtures;
import dev.jlens.tensor.IntTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The processed-weights cache: mapped weights give the same bits; a damaged file is never trusted. */
class WeightsCacheTest {
    private static ModelWeights processed(String which, ModelConfig cfg) {
        try (var ckpt = dev.jlens.io.Checkpoint.open(ModelLoader.weightsFile(Fixtures.modelDir(which)))) {
            return ModelLoader.readWeights(ckpt, cfg, WeightProcessing.Options.DEFAULT);
        }
    }

    private static ModelConfig config(String which) {
        return ModelConfig.fromHuggingFace(Fixtures.modelDir(which).resolve("config.json"), which, true);
    }

    @Test
    void mappedWeightsGiveTheSameLogitsBitForBit(@TempDir Path dir) {
        for (String which : Fixtures.names()) {
            ModelConfig cfg = config(which);
            ModelWeights heap = processed(which, cfg);
            Path file = dir.resolve(which + ".jlw");
            WeightsCache.write(file, heap, cfg);
            ModelWeights mapped = WeightsCache.read(file, cfg).orElseThrow();
            HookedTransformer a = new HookedTransformer(cfg, heap, Fixtures.model(which).tokenizer());
            HookedTransformer b = new HookedTransformer(cfg, mapped, Fixtures.model(which).tokenizer());
            IntTensor tokens = a.toTokens(Fixtures.PET_PROMPT);
            float[] fromHeap = a.forward(tokens).toArray(), fromMapped = b.forward(tokens).toArray();
            int firstDifference = java.util.Arrays.mismatch(fromHeap, fromMapped);
            assertThat(firstDifference).as("%s: first differing logit (heap %s, mapped %s)", which,
                    firstDifference < 0 ? "" : fromHeap[firstDifference], firstDifference < 0 ? "" : fromMapped[firstDifference]).isEqualTo(-1);
            assertThat(b.stateDict().keySet()).containsExactlyElementsOf(a.stateDict().keySet());
        }
    }

    /** A first load returns before its cache file is written; once the writes are awaited, the file is whole. */
    @Test
    void aFirstLoadWritesItsCacheFileInTheBackground(@TempDir Path dir) throws IOException {
        Path model = dir.resolve("model");
        Files.createDirectories(model);
        try (var files = Files.list(Fixtures.modelDir("a"))) {
            for (Path f : files.toList()) Files.copy(f, model.resolve(f.getFileName()));
        }
        ModelConfig cfg = ModelConfig.fromHuggingFace(model.resolve("config.json"), "a", true);
        Path cacheFile = WeightsCache.fileFor(WeightsCache.folder(System.getenv()).orElseThrow(), ModelLoader.weightsFile(model), cfg,
                WeightProcessing.Options.DEFAULT);
        Files.deleteIfExists(cacheFile);
        HookedTransformer loaded = HookedTransformer.fromFolder(model);
        HookedTransformer.awaitCacheWrites();
        assertThat(cacheFile).isRegularFile();
        ModelWeights mapped = WeightsCache.read(cacheFile, cfg).orElseThrow();
        IntTensor tokens = loaded.toTokens(Fixtures.PET_PROMPT);
        float[] fromCache = new HookedTransformer(loaded.cfg(), mapped, loaded.tokenizer()).forward(tokens).toArray();
        assertThat(java.util.Arrays.mismatch(fromCache, loaded.forward(tokens).toArray())).as("first differing logit").isEqualTo(-1);
        Files.deleteIfExists(cacheFile);
    }

    @Test
    void aDamagedOrForeignFileIsIgnoredAndRemoved(@TempDir Path dir) throws IOException {
        ModelConfig cfg = config("a");
        Path file = dir.resolve("a.jlw");
        WeightsCache.write(file, processed("a", cfg), cfg);
        byte[] whole = Files.readAllBytes(file);

        Files.write(file, java.util.Arrays.copyOf(whole, whole.length / 2));
        assertThat(WeightsCache.read(file, cfg)).isEmpty();
        assertThat(file).doesNotExist();

        byte[] wrongMagic = whole.clone();
        wrongMagic[0] = 'X';
        Files.write(file, wrongMagic);
        assertThat(WeightsCache.read(file, cfg)).isEmpty();

        Files.write(file, whole);
        assertThat(WeightsCache.read(file, config("b"))).as("another model's shape").isEmpty();
        assertThat(WeightsCache.read(dir.resolve("absent.jlw"), cfg)).isEmpty();
    }

    @Test
    void theCacheFolderComesFromTheEnvironmentAndCanBeTurnedOff() {
        assertThat(WeightsCache.folder(java.util.Map.of("JLENS_WEIGHTS_CACHE", "off"))).isEmpty();
        assertThat(WeightsCache.folder(java.util.Map.of("JLENS_WEIGHTS_CACHE", "/x/y"))).isEqualTo(Optional.of(Path.of("/x/y")));
        assertThat(WeightsCache.folder(java.util.Map.of())).get().asString().endsWith(".cache/jlens/weights");
    }

    @Test
    void theFileNameChangesWithTheCheckpointAndTheProcessing(@TempDir Path dir) throws IOException {
        ModelConfig cfg = config("a");
        Path ckpt = ModelLoader.weightsFile(Fixtures.modelDir("a"));
        Path processed = WeightsCache.fileFor(dir, ckpt, cfg, WeightProcessing.Options.DEFAULT);
        Path raw = WeightsCache.fileFor(dir, ckpt, cfg.withNormalizationType(NormalizationType.LN), WeightProcessing.Options.NONE);
        assertThat(processed).isNotEqualTo(raw);
        assertThat(WeightsCache.fileFor(dir, ckpt, cfg, WeightProcessing.Options.DEFAULT)).isEqualTo(processed);
    }
}
