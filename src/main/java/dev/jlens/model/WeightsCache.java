package dev.jlens.model;

import dev.jlens.io.AtomicFile;
import dev.jlens.io.CacheFiles;
import dev.jlens.io.ContentId;
import dev.jlens.io.FileStamp;
import dev.jlens.io.Json;
import dev.jlens.io.ShardedCheckpoint;
import dev.jlens.tensor.PackedMatrix;
import dev.jlens.tensor.Parallel;
import dev.jlens.tensor.RowTable;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * Processed, packed weights kept on disk so a model loads by mapping one file instead of converting and
 * processing its checkpoint again: the second load of a model takes a fraction of a second, and the
 * weights are read in place from the page cache rather than copied onto the heap.
 *
 * <p>One file per (checkpoint content, processing options, this machine's panel width and byte order, format
 * version), under {@code JLENS_WEIGHTS_CACHE} (a folder; {@code off} disables it), else
 * {@code ~/.cache/jlens/weights}. The checkpoint's content is named by its sha256 ({@link ContentId}), so a
 * checkpoint replaced by another, even of the same size and times, gets another file. A file is written whole
 * or not at all, and is trusted only when its header names the same checkpoint content and processing and
 * every 16 MB block of its data has the CRC-32C its header records; any other file is deleted, rebuilt, and
 * reported to the load's {@link CacheSettings#notices()} in one line. A file whose checksums checked out is
 * memoized as such, by its {@link FileStamp} ({@code <hash>.verified}), so later loads skip reading the whole
 * file for them until it changes in any way (a write to it changes its stamp). The same folder keeps built tokenizers
 * ({@code *.jlt}, see the tokenizer's cache), so one setting turns both on or off.
 */
final class WeightsCache {
    private static final byte[] MAGIC = "JLENSW02".getBytes(StandardCharsets.US_ASCII);
    private static final int FORMAT = 2, ALIGN = 64;
    /** Checksummed separately, so that both cores verify a file and a damaged block can be named. */
    static final int BLOCK_BYTES = 16 << 20;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Magic, header length, header CRC-32C. */
    private static final int PREFIX = MAGIC.length + 2 * Long.BYTES;

    /** Cache files still being written after their load returned (see {@link #writeLater}). */
    private static final List<Thread> PENDING = new ArrayList<>();

    private WeightsCache() {}

    /** A cache file and what it must have been made from. */
    record Entry(Path file, Path checkpoint, ContentId content, String processing) {}

    /**
     * Writes the cache file on a background thread, so the model is used at once instead of after writing
     * a file as large as the model (a third of a first load of gpt2). The file is still written whole or not
     * at all; the command line waits for it before it returns. The thread is not a daemon, so the JVM waits
     * for it when the program's last thread ends, without a shutdown hook; one that {@code System.exit}s
     * cuts it short (nothing but a temporary file is left, which a later write tidies away) unless it
     * waits first ({@link HookedTransformer#awaitCacheWrites}). Then the folder is tidied (its size cap,
     * stale temporary files).
     */
    static void writeLater(Entry entry, ModelWeights w, long maxBytes) {
        Thread writer = Thread.ofPlatform().name("jlens-weights-cache-write").daemon(false).unstarted(() -> {
            try {
                write(entry, w);
            } catch (RuntimeException e) {
                // full disk, read-only home: the model is loaded all the same
            }
            CacheFiles.tidy(entry.file().getParent(), maxBytes);
        });
        synchronized (PENDING) {
            PENDING.add(writer);
        }
        writer.start();
    }

    /** Waits until every cache file started by {@link #writeLater} is written (or given up). */
    static void awaitPendingWrites() {
        List<Thread> writers;
        synchronized (PENDING) {
            writers = List.copyOf(PENDING);
            PENDING.clear();
        }
        for (Thread writer : writers) {
            try {
                writer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The cache folder, or empty when caching is off. */
    static Optional<Path> folder(Map<String, String> env) {
        String setting = env.get(CacheSettings.FOLDER_VARIABLE);
        if (setting != null && (setting.equalsIgnoreCase("off") || setting.equals("0"))) return Optional.empty();
        if (setting != null && !setting.isBlank()) return Optional.of(Path.of(setting));
        return Optional.of(Path.of(System.getProperty("user.home"), ".cache", "jlens", "weights"));
    }

    /** The cache entry for this checkpoint's content and processing (hashing the checkpoint unless that is memoized). */
    static Entry entryFor(Path folder, Path checkpoint, ModelConfig cfg, WeightProcessing.Options options) throws IOException {
        // a sharded checkpoint is its index and every shard it names: a change to any one is another checkpoint
        ContentId content = ShardedCheckpoint.isIndex(checkpoint)
                ? ContentId.ofAll(ShardedCheckpoint.files(checkpoint), Optional.of(folder))
                : ContentId.of(checkpoint, Optional.of(folder));
        String processing = processing(cfg, options);
        String identity = String.join("\n", "sha256=" + content.sha256(), "size=" + content.size(), processing, "format=" + FORMAT);
        return new Entry(CacheFiles.named(folder, identity, "jlw"), checkpoint, content, processing);
    }

    /** Everything besides the checkpoint that decides the file's bytes. */
    static String processing(ModelConfig cfg, WeightProcessing.Options options) {
        return options + " " + shape(cfg) + " panel=" + PackedMatrix.PANEL + " order=" + ByteOrder.nativeOrder();
    }

    /**
     * What of the config decides the arrays' sizes and contents (not the model's name): the architecture too,
     * since it decides how the checkpoint is read (Gemma's scaled embedding, its norms stored as offsets from 1).
     */
    private static String shape(ModelConfig c) {
        return "arch=" + c.architecture() + " d_model=" + c.dModel() + " heads=" + c.nHeads() + "/" + c.nKeyValueHeads() + " d_head=" + c.dHead()
                + " d_mlp=" + c.dMlp() + (c.gatedMlp() ? " gated" : "") + " layers=" + c.nLayers() + " n_ctx=" + c.nCtx()
                + " vocab=" + c.dVocab() + "/" + c.dVocabOut() + " eps=" + c.eps() + " norm=" + c.normalizationType()
                + (c.variant().normalizationBeforeAndAfter() ? " post_norms" : "") + " pos=" + c.positionalEmbeddingType();
    }

    /** The named float arrays of a model's weights, in file order; the members a model lacks are left out. */
    private static Map<String, MemorySegment> arrays(ModelWeights w) {
        Map<String, MemorySegment> out = new LinkedHashMap<>();
        out.put("wE", w.wE.segment());
        if (w.wPos != null) out.put("wPos", w.wPos.segment());
        out.put("wU", w.wU.segment());
        out.put("bU", MemorySegment.ofArray(w.bU));
        putIfPresent(out, "lnfW", w.lnfW);
        putIfPresent(out, "lnfB", w.lnfB);
        for (int l = 0; l < w.layers.length; l++) {
            ModelWeights.Layer x = w.layers[l];
            out.put(l + ".wQKV", x.wQKV().segment());
            out.put(l + ".bQKV", MemorySegment.ofArray(x.bQKV()));
            out.put(l + ".wO", x.wO().segment());
            out.put(l + ".bO", MemorySegment.ofArray(x.bO()));
            if (x.wGate() != null) out.put(l + ".wGate", x.wGate().segment());
            out.put(l + ".wIn", x.wIn().segment());
            out.put(l + ".bIn", MemorySegment.ofArray(x.bIn()));
            out.put(l + ".wOut", x.wOut().segment());
            out.put(l + ".bOut", MemorySegment.ofArray(x.bOut()));
            putIfPresent(out, l + ".ln1w", x.ln1w());
            putIfPresent(out, l + ".ln1b", x.ln1b());
            putIfPresent(out, l + ".ln2w", x.ln2w());
            putIfPresent(out, l + ".ln2b", x.ln2b());
            putIfPresent(out, l + ".ln1PostW", x.ln1PostW());
            putIfPresent(out, l + ".ln2PostW", x.ln2PostW());
        }
        return out;
    }

    private static void putIfPresent(Map<String, MemorySegment> out, String name, float[] values) {
        if (values != null) out.put(name, MemorySegment.ofArray(values));
    }

    /** Writes the weights (whole or not at all). */
    static void write(Entry entry, ModelWeights w) {
        Map<String, MemorySegment> arrays = arrays(w);
        Json.Obj index = new Json.Obj();
        List<long[]> placement = new ArrayList<>();
        // Offsets are relative to the data start, which is aligned after the header.
        long at = 0;
        for (Map.Entry<String, MemorySegment> e : arrays.entrySet()) {
            at = align(at);
            index.put(e.getKey(), new Json.Arr().add(Json.Num.of(at)).add(Json.Num.of(e.getValue().byteSize())));
            placement.add(new long[] {at, e.getValue().byteSize()});
            at += e.getValue().byteSize();
        }
        long dataBytes = at;
        BlockChecksums checksums = new BlockChecksums(BLOCK_BYTES);
        try {
            Files.createDirectories(entry.file().getParent());
        } catch (IOException e) {
            return;  // no cache this time; the model is loaded all the same
        }
        CacheFiles.markUsed(entry.file());  // before it exists: another load's tidying must not take it
        AtomicFile.write(entry.file(), out -> {
            // The data first, checksummed on its way; then the header that records the checksums.
            int blocks = (int) ((dataBytes + BLOCK_BYTES - 1) / BLOCK_BYTES);
            long dataStart = align(PREFIX + header(entry, index, dataBytes, new long[blocks]).length);
            ByteBuffer staging = ByteBuffer.allocateDirect(8 << 20);
            // Through an off-heap staging buffer: heap segments of float[] have no ByteBuffer view.
            MemorySegment stagingSegment = MemorySegment.ofBuffer(staging);
            long written = 0;
            int i = 0;
            for (MemorySegment s : arrays.values()) {
                long start = placement.get(i++)[0];
                checksums.zeros(start - written);  // the alignment gap reads back as zeros
                for (long off = 0; off < s.byteSize(); off += staging.capacity()) {
                    int n = (int) Math.min(staging.capacity(), s.byteSize() - off);
                    MemorySegment.copy(s, off, stagingSegment, 0, n);
                    checksums.update(staging.clear().limit(n));
                    write(out, staging.clear().limit(n), dataStart + start + off);
                }
                written = start + s.byteSize();
            }
            byte[] json = header(entry, index, dataBytes, checksums.finish());
            CRC32C headerCrc = new CRC32C();
            headerCrc.update(json);
            ByteBuffer head = ByteBuffer.allocate((int) dataStart).order(ByteOrder.LITTLE_ENDIAN);
            head.put(MAGIC).putLong(json.length).putLong(headerCrc.getValue()).put(json).clear();
            write(out, head, 0);
        });
    }

    /** The header's JSON; checksums are fixed-width, so its length is known before they are. */
    private static byte[] header(Entry entry, Json.Obj index, long dataBytes, long[] blockCrcs) {
        Json.Arr crcs = new Json.Arr();
        for (long c : blockCrcs) crcs.add(new Json.Str(String.format("%08x", c)));
        Json.Obj checkpoint = new Json.Obj().put("sha256", entry.content().sha256()).put("size", Json.Num.of(entry.content().size()));
        return new Json.Obj().put("format", Json.Num.of(FORMAT)).put("checkpoint", checkpoint).put("processing", entry.processing())
                .put("data_bytes", Json.Num.of(dataBytes)).put("block_bytes", Json.Num.of(BLOCK_BYTES)).put("block_crc32c", crcs)
                .put("arrays", index).toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void write(FileChannel out, ByteBuffer b, long position) throws IOException {
        while (b.hasRemaining()) position += out.write(b, position);
    }

    private static long align(long x) {
        return (x + ALIGN - 1) / ALIGN * ALIGN;
    }

    /** Why a cache file is not trusted. */
    private static final class Refused extends Exception {
        Refused(String why) {
            super(why, null, false, false);
        }
    }

    /**
     * Maps a cache file back into weights for {@code cfg}, or returns empty when the file is absent or does not
     * check out (magic, header, checkpoint content, processing, size, checksums): then it is deleted so that the
     * load rebuilds it, and {@code notices} hears why in one line.
     */
    static Optional<ModelWeights> read(Entry entry, ModelConfig cfg, Consumer<String> notices) {
        Path file = entry.file();
        if (!Files.isRegularFile(file)) return Optional.empty();
        Instant start = Instant.now();
        Optional<FileStamp> stamp = stamp(file);
        Optional<Path> verifiedMemo = stamp.map(s -> verifiedMemo(file, s));
        boolean verified = verifiedMemo.isPresent() && Files.isRegularFile(verifiedMemo.get());
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            Arena arena = Arena.ofAuto();
            MemorySegment mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            // Seen as a plain native segment of the same arena (which keeps the mapping alive): the matrix
            // kernel then meets one segment class whether weights are mapped or freshly packed; with two,
            // C2 compiled its loads for both and the forward pass lost a third of its speed.
            MemorySegment all = MemorySegment.ofAddress(mapped.address()).reinterpret(size, arena, null);
            ModelWeights weights = weights(entry, cfg, all, verified);
            if (verified) CacheFiles.markUsed(verifiedMemo.get());
            // Memoized only for a file that had settled before it was read and did not change while it was.
            else if (stamp.isPresent() && stamp.get().settledBefore(start) && stamp.equals(stamp(file))) memoize(verifiedMemo.get());
            CacheFiles.markUsed(file);
            return Optional.of(weights);
        } catch (Refused e) {
            return refused(entry, notices, e.getMessage());
        } catch (IOException | RuntimeException | InternalError e) {
            // InternalError: a mapped read of a file truncated after it was checked
            return refused(entry, notices, "unreadable: " + String.valueOf(e.getMessage()).replaceAll("\\p{Cntrl}", " "));
        }
    }

    /** The memo that the cache file, as {@code stamp} says it is, checked out. */
    static Path verifiedMemo(Path file, FileStamp stamp) {
        return CacheFiles.named(file.getParent(), "verified\n" + stamp.key(), CacheFiles.VERIFIED_EXTENSION);
    }

    static Optional<FileStamp> stamp(Path file) {
        try {
            return FileStamp.of(file.toRealPath());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static void memoize(Path verifiedMemo) {
        try {
            AtomicFile.writeString(verifiedMemo, "checksums verified\n");
            CacheFiles.markUsed(verifiedMemo);
        } catch (RuntimeException e) {
            // a read-only cache folder: the checksums are verified again next time
        }
    }

    private static Optional<ModelWeights> refused(Entry entry, Consumer<String> notices, String why) {
        notices.accept("weights cache file " + entry.file() + " did not check out (" + why + "); rebuilt from " + entry.checkpoint());
        return CacheFiles.discard(entry.file());
    }

    /** The weights of a cache file, checked; its data's checksums only when not {@code verified} already. */
    private static ModelWeights weights(Entry entry, ModelConfig cfg, MemorySegment all, boolean verified) throws Refused {
        long size = all.byteSize();
        if (size < PREFIX || MemorySegment.mismatch(MemorySegment.ofArray(MAGIC), 0, MAGIC.length, all, 0, MAGIC.length) != -1) {
            throw new Refused(size >= 6 && all.asSlice(0, 6).toArray(ValueLayout.JAVA_BYTE)[5] == 'W' ? "an older format" : "not a jlens weights cache file");
        }
        long jsonLength = all.get(LONG, MAGIC.length);
        if (jsonLength <= 0 || jsonLength > Math.min(size - PREFIX, 16 << 20)) throw new Refused("damaged header");
        byte[] json = all.asSlice(PREFIX, jsonLength).toArray(ValueLayout.JAVA_BYTE);
        CRC32C headerCrc = new CRC32C();
        headerCrc.update(json);
        if (headerCrc.getValue() != all.get(LONG, MAGIC.length + Long.BYTES)) throw new Refused("damaged header");
        if (!(Json.parse(new String(json, StandardCharsets.UTF_8), 8) instanceof Json.Obj header)
                || !(header.get("format") instanceof Json.Num format) || !format.fitsLong() || format.asLong() != FORMAT) {
            throw new Refused("another format");
        }
        if (!(header.get("checkpoint") instanceof Json.Obj checkpoint) || !(checkpoint.get("sha256") instanceof Json.Str sha256)
                || !(checkpoint.get("size") instanceof Json.Num ckptSize) || !ckptSize.fitsLong()) {
            throw new Refused("damaged header");
        }
        if (!sha256.value().matches("[0-9a-f]{64}")) throw new Refused("damaged header");
        if (!sha256.value().equals(entry.content().sha256()) || ckptSize.asLong() != entry.content().size()) {
            throw new Refused("made from another checkpoint, sha256 " + sha256.value() + " instead of " + entry.content().sha256());
        }
        if (!(header.get("processing") instanceof Json.Str processing) || !processing.value().equals(entry.processing())) {
            throw new Refused("made for another shape or processing");
        }
        if (!(header.get("data_bytes") instanceof Json.Num dataBytes) || !dataBytes.fitsLong()
                || !(header.get("block_bytes") instanceof Json.Num blockBytes) || !blockBytes.fitsLong() || blockBytes.asLong() != BLOCK_BYTES
                || !(header.get("block_crc32c") instanceof Json.Arr crcs) || !(header.get("arrays") instanceof Json.Obj index)) {
            throw new Refused("damaged header");
        }
        long dataStart = align(PREFIX + jsonLength), expected = dataStart + dataBytes.asLong();
        if (dataBytes.asLong() < 0 || size != expected) throw new Refused((size < expected ? "truncated: " : "too long: ") + size + " bytes instead of " + expected);
        if (!verified) verify(all.asSlice(dataStart, dataBytes.asLong()), crcs);
        try {
            return slice(new Slicer(all, dataStart, index), cfg);
        } catch (IllegalStateException e) {
            throw new Refused(e.getMessage());
        }
    }

    /** Checks every block's CRC-32C, the blocks spread over the cores. */
    private static void verify(MemorySegment data, Json.Arr crcs) throws Refused {
        int blocks = (int) ((data.byteSize() + BLOCK_BYTES - 1) / BLOCK_BYTES);
        if (crcs.size() != blocks) throw new Refused("damaged header");
        long[] expected = new long[blocks];
        for (int i = 0; i < blocks; i++) {
            if (!(crcs.get(i) instanceof Json.Str hex) || !hex.value().matches("[0-9a-f]{8}")) throw new Refused("damaged header");
            expected[i] = Long.parseLong(hex.value(), 16);
        }
        int[] firstBad = {Integer.MAX_VALUE};
        Parallel.forEach(blocks, i -> {
            long from = (long) i * BLOCK_BYTES, n = Math.min(BLOCK_BYTES, data.byteSize() - from);
            CRC32C crc = new CRC32C();
            crc.update(data.asSlice(from, n).asByteBuffer());
            if (crc.getValue() != expected[i]) {
                synchronized (firstBad) {
                    firstBad[0] = Math.min(firstBad[0], i);
                }
            }
        });
        if (firstBad[0] != Integer.MAX_VALUE) {
            long from = (long) firstBad[0] * BLOCK_BYTES;
            throw new Refused("checksum mismatch in data bytes " + from + " to " + Math.min(from + BLOCK_BYTES, data.byteSize()));
        }
    }

    /**
     * The weights of the data region, sized by {@code cfg} (which the header's processing string pins); the
     * optional members (positions, norms, gate, post norms) are those the file has.
     */
    private static ModelWeights slice(Slicer s, ModelConfig cfg) {
        int d = cfg.dModel(), he = cfg.nHeads() * cfg.dHead(), qkv = he + 2 * cfg.kvWidth(), m = cfg.dMlp(), v = cfg.dVocabOut();
        RowTable wE = RowTable.of(cfg.dVocab(), d, s.slice("wE", (long) cfg.dVocab() * d));
        RowTable wPos = s.has("wPos") ? RowTable.of(cfg.nCtx(), d, s.slice("wPos", (long) cfg.nCtx() * d)) : null;
        PackedMatrix wU = s.matrix("wU", d, v);
        float[] bU = s.floats("bU", v);
        ModelWeights.Layer[] layers = new ModelWeights.Layer[cfg.nLayers()];
        for (int l = 0; l < layers.length; l++) {
            String p = l + ".";
            layers[l] = new ModelWeights.Layer(
                    s.matrix(p + "wQKV", d, qkv), s.floats(p + "bQKV", qkv), s.matrix(p + "wO", he, d), s.floats(p + "bO", d),
                    s.matrix(p + "wIn", d, m), s.floats(p + "bIn", m), s.matrix(p + "wOut", m, d), s.floats(p + "bOut", d),
                    s.floatsOrNull(p + "ln1w", d), s.floatsOrNull(p + "ln1b", d), s.floatsOrNull(p + "ln2w", d), s.floatsOrNull(p + "ln2b", d),
                    s.has(p + "wGate") ? s.matrix(p + "wGate", d, m) : null, s.floatsOrNull(p + "ln1PostW", d), s.floatsOrNull(p + "ln2PostW", d));
        }
        return new ModelWeights(wE, wPos, wU, bU, s.floatsOrNull("lnfW", d), s.floatsOrNull("lnfB", d), layers);
    }

    /** Bounds-checked slices of the data region, by the header's index. */
    private record Slicer(MemorySegment all, long dataStart, Json.Obj index) {
        MemorySegment slice(String name, long floats) {
            if (!(index.get(name) instanceof Json.Arr entry) || entry.size() != 2
                    || !(entry.get(0) instanceof Json.Num at) || !at.fitsLong() || !(entry.get(1) instanceof Json.Num size) || !size.fitsLong()) {
                throw new IllegalStateException("no array " + name);
            }
            long offset = at.asLong(), bytes = size.asLong();
            if (bytes != floats * Float.BYTES || offset < 0 || dataStart + offset + bytes > all.byteSize()) {
                throw new IllegalStateException("array " + name + " does not fit");
            }
            return all.asSlice(dataStart + offset, bytes);
        }

        float[] floats(String name, int n) {
            return slice(name, n).toArray(FLOAT);
        }

        boolean has(String name) {
            return index.has(name);
        }

        float[] floatsOrNull(String name, int n) {
            return has(name) ? floats(name, n) : null;
        }

        PackedMatrix matrix(String name, int rows, int cols) {
            return PackedMatrix.of(rows, cols, slice(name, PackedMatrix.packedFloats(rows, cols)));
        }
    }
}
