package dev.jlens.model;

import dev.jlens.Fixtures;
import dev.jlens.bench.RandomGpt2;
import dev.jlens.io.CacheFiles;
import dev.jlens.tensor.IntTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/** The processed-weights cache: mapped weights give the same bits; a damaged file is never trusted. */
class WeightsCacheTest {
    private static final Consumer<String> NO_NOTICES = line -> {};

    private static ModelWeights processed(String which, ModelConfig cfg) {
        try (var ckpt = dev.jlens.io.Checkpoint.open(ModelLoader.weightsFile(Fixtures.modelDir(which)))) {
            return ModelLoader.readWeights(ckpt, cfg, WeightProcessing.Options.DEFAULT);
        }
    }

    private static ModelConfig config(String which) {
        return ModelConfig.fromHuggingFace(Fixtures.modelDir(which).resolve("config.json"), which, true);
    }

    @Test
    void mappedWeightsGiveTheSameLogitsBitForBit(@TempDir Path dir) throws IOException {
        for (String which : Fixtures.names()) {
            ModelConfig cfg = config(which);
            ModelWeights heap = processed(which, cfg);
            WeightsCache.Entry entry = WeightsCache.entryFor(dir, ModelLoader.weightsFile(Fixtures.modelDir(which)), cfg, WeightProcessing.Options.DEFAULT);
            WeightsCache.write(entry, heap);
            ModelWeights mapped = WeightsCache.read(entry, cfg, NO_NOTICES).orElseThrow();
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
        WeightsCache.Entry entry = WeightsCache.entryFor(WeightsCache.folder(System.getenv()).orElseThrow(), ModelLoader.weightsFile(model), cfg,
                WeightProcessing.Options.DEFAULT);
        Path cacheFile = entry.file();
        Files.deleteIfExists(cacheFile);
        HookedTransformer loaded = HookedTransformer.fromFolder(model);
        HookedTransformer.awaitCacheWrites();
        assertThat(cacheFile).isRegularFile();
        ModelWeights mapped = WeightsCache.read(entry, cfg, NO_NOTICES).orElseThrow();
        IntTensor tokens = loaded.toTokens(Fixtures.PET_PROMPT);
        float[] fromCache = new HookedTransformer(loaded.cfg(), mapped, loaded.tokenizer()).forward(tokens).toArray();
        assertThat(java.util.Arrays.mismatch(fromCache, loaded.forward(tokens).toArray())).as("first differing logit").isEqualTo(-1);
        Files.deleteIfExists(cacheFile);
    }

    @Test
    void aDamagedOrForeignFileIsIgnoredAndRemoved(@TempDir Path dir) throws IOException {
        ModelConfig cfg = config("a");
        WeightsCache.Entry entry = WeightsCache.entryFor(dir, ModelLoader.weightsFile(Fixtures.modelDir("a")), cfg, WeightProcessing.Options.DEFAULT);
        Path file = entry.file();
        WeightsCache.write(entry, processed("a", cfg));
        byte[] whole = Files.readAllBytes(file);
        List<String> notices = new ArrayList<>();

        Files.write(file, java.util.Arrays.copyOf(whole, whole.length / 2));
        assertThat(WeightsCache.read(entry, cfg, notices::add)).isEmpty();
        assertThat(file).doesNotExist();
        assertThat(notices).singleElement().asString().contains("truncated");

        byte[] wrongMagic = whole.clone();
        wrongMagic[0] = 'X';
        Files.write(file, wrongMagic);
        assertThat(WeightsCache.read(entry, cfg, notices::add)).isEmpty();

        Files.write(file, whole);
        WeightsCache.Entry otherShape = WeightsCache.entryFor(dir, ModelLoader.weightsFile(Fixtures.modelDir("a")), config("b"), WeightProcessing.Options.DEFAULT);
        assertThat(WeightsCache.read(new WeightsCache.Entry(file, otherShape.checkpoint(), otherShape.content(), otherShape.processing()), config("b"), notices::add))
                .as("another model's shape").isEmpty();
        assertThat(WeightsCache.read(new WeightsCache.Entry(dir.resolve("absent.jlw"), entry.checkpoint(), entry.content(), entry.processing()), cfg, notices::add)).isEmpty();
        assertThat(notices).hasSize(3);
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
        Path processed = WeightsCache.entryFor(dir, ckpt, cfg, WeightProcessing.Options.DEFAULT).file();
        Path raw = WeightsCache.entryFor(dir, ckpt, cfg.withNormalizationType(NormalizationType.LN), WeightProcessing.Options.NONE).file();
        assertThat(processed).isNotEqualTo(raw);
        assertThat(WeightsCache.entryFor(dir, ckpt, cfg, WeightProcessing.Options.DEFAULT).file()).isEqualTo(processed);
    }

    // ---- a cache entry is used only for the checkpoint content it was made from, and only when whole ----

    @TempDir
    Path cache;

    /** Random models of one shape: their checkpoints have the same size (and, below, the same times). */
    private static Path randomModel(Path dir, String name, long seed) {
        Path out = dir.resolve(name);
        RandomGpt2.write(out, 2, 2, 64, seed, Fixtures.modelDir("a"));
        return out;
    }

    private static void assertSameLogits(float[] actual, float[] expected) {
        int first = java.util.Arrays.mismatch(actual, expected);
        assertThat(first).as("first differing logit (%s instead of %s)", first < 0 ? "" : actual[first], first < 0 ? "" : expected[first]).isEqualTo(-1);
    }

    private static float[] logits(HookedTransformer m) {
        return m.forward(m.toTokens(Fixtures.PET_PROMPT)).toArray();
    }

    /** The model read and processed from its checkpoint, with no cache at all. */
    private static float[] uncachedLogits(Path model) {
        return logits(ModelLoader.load(model, "m", WeightProcessing.Options.DEFAULT, new CacheSettings(Optional.empty(), 0, NO_NOTICES)));
    }

    /** Loads through the cache folder of this test (its file, if written, is on disk when this returns). */
    private float[] cachedLogits(Path model, List<String> notices) {
        HookedTransformer m = ModelLoader.load(model, "m", WeightProcessing.Options.DEFAULT, new CacheSettings(Optional.of(cache), Long.MAX_VALUE, notices::add));
        WeightsCache.awaitPendingWrites();
        return logits(m);
    }

    private Path entryFile(Path model) throws IOException {
        ModelConfig cfg = ModelConfig.fromHuggingFace(model.resolve("config.json"), "m", true);
        return WeightsCache.entryFor(cache, ModelLoader.weightsFile(model), cfg, WeightProcessing.Options.DEFAULT).file();
    }

    @Test
    void aCheckpointReplacedByAnotherOfTheSameSizeAndTimesGivesTheNewModelsNumbers(@TempDir Path dir) throws IOException {
        Path old = randomModel(dir, "old", 1), replacement = randomModel(dir, "new", 2), model = dir.resolve("model");
        Files.createDirectories(model);
        try (var files = Files.list(old)) {
            for (Path f : files.toList()) Files.copy(f, model.resolve(f.getFileName()));
        }
        List<String> notices = new ArrayList<>();
        float[] before = cachedLogits(model, notices);
        assertThat(entryFile(model)).isRegularFile();
        assertSameLogits(cachedLogits(model, notices), before);

        Path checkpoint = model.resolve("model.safetensors");
        long size = Files.size(checkpoint);
        java.nio.file.attribute.FileTime mtime = Files.getLastModifiedTime(checkpoint);
        Files.copy(replacement.resolve("model.safetensors"), checkpoint, StandardCopyOption.REPLACE_EXISTING);  // cp, then touch -r
        Files.setLastModifiedTime(checkpoint, mtime);
        assertThat(Files.size(checkpoint)).isEqualTo(size);

        float[] after = cachedLogits(model, notices);
        float[] expected = uncachedLogits(replacement);
        assertThat(java.util.Arrays.equals(expected, before)).as("the two models differ").isFalse();
        assertSameLogits(after, expected);
        assertThat(notices).isEmpty();
    }

    @Test
    void anotherModelsEntryCopiedOverIsRefusedRebuiltAndReported(@TempDir Path dir) throws IOException {
        Path a = randomModel(dir, "a", 1), b = randomModel(dir, "b", 2);
        List<String> notices = new ArrayList<>();
        cachedLogits(a, notices);
        cachedLogits(b, notices);
        Files.copy(entryFile(b), entryFile(a), StandardCopyOption.REPLACE_EXISTING);

        assertSameLogits(cachedLogits(a, notices), uncachedLogits(a));
        assertThat(notices).singleElement().asString()
                .startsWith("weights cache file " + entryFile(a) + " did not check out (made from another checkpoint")
                .endsWith("; rebuilt from " + a.resolve("model.safetensors"));
        assertRebuilt(a);
    }

    @Test
    void aMegabyteOfCorruptBytesInsideTheEntryIsRefusedAndRebuilt(@TempDir Path dir) throws IOException {
        byte[] junk = new byte[1 << 20];
        new java.util.Random(7).nextBytes(junk);
        String notice = noticeAfterDamage(dir, entry -> entry.write(java.nio.ByteBuffer.wrap(junk), entry.size() / 2));
        assertThat(notice).contains("(checksum mismatch in data bytes");
    }

    @Test
    void aTruncatedEntryIsRefusedAndRebuilt(@TempDir Path dir) throws IOException {
        long[] whole = new long[1];
        String notice = noticeAfterDamage(dir, entry -> {
            whole[0] = entry.size();
            entry.truncate(whole[0] - 4096);
        });
        assertThat(notice).contains("(truncated: " + (whole[0] - 4096) + " bytes instead of " + whole[0] + ")");
    }

    private interface Damage {
        void to(FileChannel entry) throws IOException;
    }

    /** Loads a model, damages its entry, loads again: right numbers, the entry rebuilt; returns the one notice. */
    private String noticeAfterDamage(Path dir, Damage damage) throws IOException {
        Path a = randomModel(dir, "a", 1);
        List<String> notices = new ArrayList<>();
        cachedLogits(a, notices);
        try (FileChannel ch = FileChannel.open(entryFile(a), StandardOpenOption.WRITE)) {
            damage.to(ch);
        }
        assertSameLogits(cachedLogits(a, notices), uncachedLogits(a));
        assertThat(notices).hasSize(1);
        assertRebuilt(a);
        return notices.getFirst();
    }

    /** The refused file was replaced by a good one: the next load reads it, silently, with the same numbers. */
    private void assertRebuilt(Path model) throws IOException {
        List<String> notices = new ArrayList<>();
        Object written = Files.readAttributes(entryFile(model), java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        assertSameLogits(cachedLogits(model, notices), uncachedLogits(model));
        assertThat(notices).as("read from the rebuilt file").isEmpty();
        assertThat(Files.readAttributes(entryFile(model), java.nio.file.attribute.BasicFileAttributes.class).fileKey())
                .as("the same file, not written again").isEqualTo(written);
    }

    /** A program that loads a model once and returns from main at once, without waiting for the cache write. */
    public static final class LoadAndReturn {
        public static void main(String[] args) {
            ModelLoader.load(Path.of(args[0]), "m", WeightProcessing.Options.DEFAULT, new CacheSettings(Optional.of(Path.of(args[1])), Long.MAX_VALUE, NO_NOTICES));
        }
    }

    @Test
    void aProgramWhoseMainReturnsRightAfterAFirstLoadStillGetsAWholeEntry(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("wide");
        RandomGpt2.write(a, 1, 2, 256, 1, Fixtures.modelDir("a"));  // an entry of 100 MB: written well after main returns
        String javaCommand = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(javaCommand, "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                LoadAndReturn.class.getName(), a.toString(), cache.toString()).redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(child.waitFor()).as(output).isZero();
        // no shutdown hook waited for it: the writer thread is not a daemon, so the JVM did
        assertThat(entryFile(a)).isRegularFile();
        List<String> notices = new ArrayList<>();
        assertSameLogits(cachedLogits(a, notices), uncachedLogits(a));
        assertThat(notices).as("the entry is whole").isEmpty();
    }

    // ---- an entry's checksums are verified once for as long as the file is unchanged ----

    /** Loads until the entry's checksums have been verified and memoized: written, settled, read. */
    private Path verifiedEntry(Path model, List<String> notices) throws IOException, InterruptedException {
        cachedLogits(model, notices);
        Thread.sleep(250);  // longer than a clock tick of file times: the entry has settled
        cachedLogits(model, notices);
        Path memo = WeightsCache.verifiedMemo(entryFile(model), WeightsCache.stamp(entryFile(model)).orElseThrow());
        assertThat(memo).as("the memo that the entry checked out").isRegularFile();
        return memo;
    }

    /** Overwrites a megabyte in the middle of the entry's data, keeping its size and modification time. */
    private static void damageKeepingSizeAndTimes(Path entry) throws IOException {
        long size = Files.size(entry);
        java.nio.file.attribute.FileTime mtime = Files.getLastModifiedTime(entry);
        byte[] junk = new byte[1 << 20];
        new java.util.Random(7).nextBytes(junk);
        try (FileChannel ch = FileChannel.open(entry, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(junk), size / 2);
        }
        Files.setLastModifiedTime(entry, mtime);  // as touch -r would
        assertThat(Files.size(entry)).isEqualTo(size);
        assertThat(Files.getLastModifiedTime(entry)).isEqualTo(mtime);
    }

    @Test
    void anEntryVerifiedOnceIsNotCheckedAgainWhileItsStampIsTheSame(@TempDir Path dir) throws Exception {
        Path a = randomModel(dir, "a", 1);
        List<String> notices = new ArrayList<>();
        verifiedEntry(a, notices);
        // Damaged in place, then memoized as verified under its new stamp: a load that trusts the memo does not
        // read the data for its checksums, so the damage goes unseen (which is why only the stamp may vouch).
        damageKeepingSizeAndTimes(entryFile(a));
        Path forged = WeightsCache.verifiedMemo(entryFile(a), WeightsCache.stamp(entryFile(a)).orElseThrow());
        Files.writeString(forged, "checksums verified\n");
        HookedTransformer m = ModelLoader.load(a, "m", WeightProcessing.Options.DEFAULT, new CacheSettings(Optional.of(cache), Long.MAX_VALUE, notices::add));
        assertThat(notices).as("the checksum pass was skipped").isEmpty();
        assertThat(m.cfg().nLayers()).isEqualTo(2);
    }

    @Test
    void anEntryChangedInPlaceKeepingItsSizeAndTimesIsVerifiedAgainRefusedAndRebuilt(@TempDir Path dir) throws Exception {
        Path a = randomModel(dir, "a", 1);
        List<String> notices = new ArrayList<>();
        Path memo = verifiedEntry(a, notices);
        damageKeepingSizeAndTimes(entryFile(a));  // the kernel sets its ctime all the same

        assertSameLogits(cachedLogits(a, notices), uncachedLogits(a));
        assertThat(notices).singleElement().asString().contains("(checksum mismatch in data bytes");
        assertRebuilt(a);
        assertThat(memo).as("the old memo names another stamp; it is evicted in time").isRegularFile();
    }

    @Test
    void aLoadThatWritesAnEntryEvictsTheLeastRecentlyUsedBeyondTheCapAndStaleTemporaryFiles(@TempDir Path dir) throws IOException {
        Path a = randomModel(dir, "a", 1);
        cachedLogits(a, new ArrayList<>());
        long written;  // what a load keeps: the entry, the tokenizer's, memoized hashes
        try (var files = Files.list(cache)) {
            written = files.mapToLong(f -> f.toFile().length()).sum();
        }
        Files.delete(entryFile(a));  // so the next load writes it again

        java.time.Instant now = java.time.Instant.now();
        Path oldest = cache.resolve("0000.jlw"), older = cache.resolve("0001.jlt"), recent = cache.resolve("0002.jlw");
        Path stalePartial = cache.resolve(".0003.jlw.x.partial"), livePartial = cache.resolve(".0004.jlw.y.partial");
        Path notOurs = cache.resolve("notes.txt");
        for (Path f : List.of(oldest, older, recent, stalePartial, livePartial, notOurs)) Files.write(f, new byte[1000]);
        Files.setLastModifiedTime(oldest, java.nio.file.attribute.FileTime.from(now.minusSeconds(3000)));
        Files.setLastModifiedTime(older, java.nio.file.attribute.FileTime.from(now.minusSeconds(2000)));
        Files.setLastModifiedTime(recent, java.nio.file.attribute.FileTime.from(now.minusSeconds(1000)));
        Files.setLastModifiedTime(stalePartial, java.nio.file.attribute.FileTime.from(now.minus(CacheFiles.STALE_PARTIAL).minusSeconds(60)));

        long cap = written + 1500;  // room for one of the three old files
        HookedTransformer m = ModelLoader.load(a, "m", WeightProcessing.Options.DEFAULT, new CacheSettings(Optional.of(cache), cap, NO_NOTICES));
        WeightsCache.awaitPendingWrites();
        assertThat(m.cfg().nLayers()).isEqualTo(2);

        assertThat(entryFile(a)).isRegularFile();
        assertThat(oldest).doesNotExist();
        assertThat(older).doesNotExist();
        assertThat(recent).isRegularFile();
        assertThat(stalePartial).doesNotExist();
        assertThat(livePartial).isRegularFile();
        assertThat(notOurs).isRegularFile();
    }
}
