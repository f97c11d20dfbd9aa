package dev.jlens.model;

import dev.jlens.ArchFixtures;
import dev.jlens.io.Checkpoint;
import dev.jlens.io.SafetensorsWriter;
import dev.jlens.io.ShardedCheckpoint;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The processed-weights cache on GPT-NeoX, Llama and Gemma 2 (rotary, grouped keys and values, gates, RMSNorm,
 * post norms, untied unembedding), single-file and sharded: a second load is read from the cache with the same
 * bits, and an entry is keyed by every shard.
 */
class ArchitectureWeightsCacheTest {
    @TempDir
    Path cache;

    static List<String> fixtures() {
        return ArchFixtures.names();
    }

    private HookedTransformer load(Path model, List<String> notices) {
        HookedTransformer m = ModelLoader.load(model, "m", WeightProcessing.Options.DEFAULT, new CacheSettings(Optional.of(cache), Long.MAX_VALUE, notices::add));
        WeightsCache.awaitPendingWrites();
        return m;
    }

    private static float[] logits(HookedTransformer m) {
        return m.forward(ArchFixtures.tokens("tiny-lm-rms-a", "tokens")).toArray();
    }

    private static float[] uncachedLogits(Path model) {
        return logits(ModelLoader.load(model, "m", WeightProcessing.Options.DEFAULT, new CacheSettings(Optional.empty(), 0, line -> {})));
    }

    private static void assertSameBits(float[] actual, float[] expected) {
        int first = java.util.Arrays.mismatch(actual, expected);
        assertThat(first).as("first differing logit (%s instead of %s)", first < 0 ? "" : actual[first], first < 0 ? "" : expected[first]).isEqualTo(-1);
    }

    private WeightsCache.Entry entry(Path model) throws IOException {
        ModelConfig cfg = ModelConfig.fromHuggingFace(model.resolve("config.json"), "m", true);
        return WeightsCache.entryFor(cache, ModelLoader.weightsFile(model), cfg, WeightProcessing.Options.DEFAULT);
    }

    /**
     * Proves a load read the entry: the entry is replaced by a valid one of other numbers (the unembedding bias
     * raised for one token), which only a load from the cache can give.
     */
    private void assertTheNextLoadReadsTheEntry(Path model) throws IOException {
        HookedTransformer first = load(model, new ArrayList<>());
        ModelWeights w = first.weights();
        float[] bU = w.bU.clone();
        bU[42] += 3;
        ModelWeights planted = new ModelWeights(w.wE, w.wPos, w.wU, bU, w.lnfW, w.lnfB, w.layers);
        WeightsCache.Entry entry = entry(model);
        WeightsCache.write(entry, planted);
        List<String> notices = new ArrayList<>();
        float[] fromLoad = logits(load(model, notices));
        assertThat(notices).isEmpty();
        float[] expected = logits(new HookedTransformer(first.cfg(), planted, first.tokenizer()));
        assertThat(java.util.Arrays.equals(expected, logits(first))).as("the planted entry's numbers differ").isFalse();
        assertSameBits(fromLoad, expected);
        Files.delete(entry.file());
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void aSecondLoadComesFromTheCacheWithTheSameLogitsBitForBit(String name) throws IOException {
        Path model = ArchFixtures.dir(name);
        List<String> notices = new ArrayList<>();
        float[] first = logits(load(model, notices));
        assertThat(entry(model).file()).isRegularFile();
        assertSameBits(logits(load(model, notices)), first);
        assertSameBits(first, uncachedLogits(model));
        assertThat(notices).isEmpty();
        assertTheNextLoadReadsTheEntry(model);
    }

    /** The fixture's checkpoint (one file or shards) split anew in two safetensors shards behind model.safetensors.index.json. */
    private static Path sharded(String name, Path out) throws IOException {
        Files.createDirectories(out);
        try (var files = Files.list(ArchFixtures.dir(name))) {
            for (Path f : files.toList()) if (!f.getFileName().toString().startsWith("model")) Files.copy(f, out.resolve(f.getFileName()));
        }
        LinkedHashMap<String, SafetensorsWriter.Tensor> first = new LinkedHashMap<>(), second = new LinkedHashMap<>();
        Map<String, String> weightMap = new LinkedHashMap<>();
        try (Checkpoint ckpt = Checkpoint.open(ModelLoader.weightsFile(ArchFixtures.dir(name)))) {
            int i = 0;
            for (String t : ckpt.names()) {
                var shard = i++ % 2 == 0 ? first : second;
                shard.put(t, new SafetensorsWriter.Tensor(ckpt.info(t).shape(), ckpt.readFloat32(t)));
                weightMap.put(t, shard == first ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors");
            }
        }
        SafetensorsWriter.write(out.resolve("model-00001-of-00002.safetensors"), first, Map.of("format", "pt"));
        SafetensorsWriter.write(out.resolve("model-00002-of-00002.safetensors"), second, Map.of("format", "pt"));
        StringBuilder index = new StringBuilder("{\"metadata\": {}, \"weight_map\": {");
        weightMap.forEach((t, f) -> index.append(index.charAt(index.length() - 1) == '{' ? "" : ", ").append('"').append(t).append("\": \"").append(f).append('"'));
        Files.writeString(out.resolve(ShardedCheckpoint.INDEX), index.append("}}").toString());
        return out;
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void aShardedCheckpointIsCachedAndAChangedShardInvalidatesItsEntry(String name, @TempDir Path dir) throws IOException {
        Path model = sharded(name, dir.resolve("model"));
        List<String> notices = new ArrayList<>();
        float[] before = logits(load(model, notices));
        assertSameBits(before, uncachedLogits(ArchFixtures.dir(name)));
        Path entryBefore = entry(model).file();
        assertThat(entryBefore).isRegularFile();
        assertSameBits(logits(load(model, notices)), before);
        assertTheNextLoadReadsTheEntry(model);

        // the second shard rewritten with one tensor changed, keeping its size and times (cp, then touch -r)
        Path shard = model.resolve("model-00002-of-00002.safetensors");
        long size = Files.size(shard);
        FileTime mtime = Files.getLastModifiedTime(shard);
        LinkedHashMap<String, SafetensorsWriter.Tensor> tensors = new LinkedHashMap<>();
        try (Checkpoint ckpt = Checkpoint.open(shard)) {
            for (String t : ckpt.names()) tensors.put(t, new SafetensorsWriter.Tensor(ckpt.info(t).shape(), ckpt.readFloat32(t)));
        }
        for (SafetensorsWriter.Tensor t : tensors.values()) for (int i = 0; i < t.values().length; i++) t.values()[i] *= 1.5f;
        SafetensorsWriter.write(shard, tensors, Map.of("format", "pt"));
        Files.setLastModifiedTime(shard, mtime);
        assertThat(Files.size(shard)).isEqualTo(size);

        assertThat(entry(model).file()).as("another entry for other content").isNotEqualTo(entryBefore);
        float[] after = logits(load(model, notices));
        assertThat(java.util.Arrays.equals(after, before)).as("the changed shard changes the model").isFalse();
        assertSameBits(after, uncachedLogits(model));
        assertThat(entry(model).file()).isRegularFile();
        assertThat(notices).isEmpty();
    }
}
