package dev.jlens.model;

import dev.jlens.io.AtomicFile;
import dev.jlens.io.CacheFiles;
import dev.jlens.io.Json;
import dev.jlens.tensor.PackedMatrix;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Processed, packed weights kept on disk so a model loads by mapping one file instead of converting and
 * processing its checkpoint again: the second load of a model takes a fraction of a second, and the
 * weights are read in place from the page cache rather than copied onto the heap.
 *
 * <p>One file per (checkpoint file, its size and modification time, processing options, this machine's
 * panel width, format version), under {@code JLENS_WEIGHTS_CACHE} (a folder; {@code off} disables it), else
 * {@code ~/.cache/jlens/weights}. Written whole or not at all; a file that does not check out is ignored
 * and replaced, never trusted. The same folder keeps built tokenizers ({@code *.jlt}, see the tokenizer's
 * cache), so one setting turns both on or off.
 */
final class WeightsCache {
    private static final byte[] MAGIC = "JLENSW01".getBytes(StandardCharsets.US_ASCII);
    private static final int FORMAT = 1, ALIGN = 64;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.nativeOrder());

    /** Cache files still being written after their load returned (see {@link #writeLater}). */
    private static final List<Thread> PENDING = new ArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(WeightsCache::awaitPendingWrites, "jlens-weights-cache-flush"));
    }

    private WeightsCache() {}

    /**
     * Writes the cache file on a background thread, so the model is used at once instead of after writing
     * a file as large as the model (a third of a first load of gpt2). The file is still written whole or not
     * at all; the command line waits for it before it returns, and the JVM before it exits.
     */
    static void writeLater(Path file, ModelWeights w, ModelConfig cfg) {
        Thread writer = Thread.ofPlatform().name("jlens-weights-cache-write").daemon().unstarted(() -> {
            try {
                write(file, w, cfg);
            } catch (RuntimeException e) {
                // full disk, read-only home: the model is loaded all the same
            }
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
        String setting = env.get("JLENS_WEIGHTS_CACHE");
        if (setting != null && (setting.equalsIgnoreCase("off") || setting.equals("0"))) return Optional.empty();
        if (setting != null && !setting.isBlank()) return Optional.of(Path.of(setting));
        return Optional.of(Path.of(System.getProperty("user.home"), ".cache", "jlens", "weights"));
    }

    /** The cache file for this checkpoint and processing. */
    static Path fileFor(Path folder, Path checkpoint, ModelConfig cfg, WeightProcessing.Options options) throws IOException {
        String identity = String.join("\n", checkpoint.toAbsolutePath().normalize().toString(),
                Long.toString(Files.size(checkpoint)), Files.getLastModifiedTime(checkpoint).toString(),
                options.toString(), shape(cfg), "panel=" + PackedMatrix.PANEL, "order=" + ByteOrder.nativeOrder(), "format=" + FORMAT);
        return CacheFiles.named(folder, identity, "jlw");
    }

    /** What of the config decides the arrays' sizes and contents (not the model's name). */
    private static String shape(ModelConfig c) {
        return "d_model=" + c.dModel() + " heads=" + c.nHeads() + " d_head=" + c.dHead() + " d_mlp=" + c.dMlp() + " layers=" + c.nLayers()
                + " n_ctx=" + c.nCtx() + " vocab=" + c.dVocab() + "/" + c.dVocabOut() + " eps=" + c.eps() + " norm=" + c.normalizationType();
    }

    /** The named float arrays of a model's weights, in file order. */
    private static Map<String, MemorySegment> arrays(ModelWeights w) {
        Map<String, MemorySegment> out = new LinkedHashMap<>();
        out.put("wE", w.wE.segment());
        out.put("wPos", w.wPos.segment());
        out.put("wU", w.wU.segment());
        out.put("bU", MemorySegment.ofArray(w.bU));
        if (w.lnfW != null) {
            out.put("lnfW", MemorySegment.ofArray(w.lnfW));
            out.put("lnfB", MemorySegment.ofArray(w.lnfB));
        }
        for (int l = 0; l < w.layers.length; l++) {
            ModelWeights.Layer x = w.layers[l];
            out.put(l + ".wQKV", x.wQKV().segment());
            out.put(l + ".bQKV", MemorySegment.ofArray(x.bQKV()));
            out.put(l + ".wO", x.wO().segment());
            out.put(l + ".bO", MemorySegment.ofArray(x.bO()));
            out.put(l + ".wIn", x.wIn().segment());
            out.put(l + ".bIn", MemorySegment.ofArray(x.bIn()));
            out.put(l + ".wOut", x.wOut().segment());
            out.put(l + ".bOut", MemorySegment.ofArray(x.bOut()));
            if (x.ln1w() != null) {
                out.put(l + ".ln1w", MemorySegment.ofArray(x.ln1w()));
                out.put(l + ".ln1b", MemorySegment.ofArray(x.ln1b()));
                out.put(l + ".ln2w", MemorySegment.ofArray(x.ln2w()));
                out.put(l + ".ln2b", MemorySegment.ofArray(x.ln2b()));
            }
        }
        return out;
    }

    /** Writes the weights (whole or not at all). */
    static void write(Path file, ModelWeights w, ModelConfig cfg) {
        Map<String, MemorySegment> arrays = arrays(w);
        Json.Obj index = new Json.Obj();
        Json.Obj header = new Json.Obj().put("format", Json.Num.of(FORMAT)).put("config", shape(cfg)).put("arrays", index);
        List<long[]> placement = new ArrayList<>();
        // Offsets are relative to the data start, which is aligned after the header.
        long at = 0;
        for (Map.Entry<String, MemorySegment> e : arrays.entrySet()) {
            at = align(at);
            index.put(e.getKey(), new Json.Arr().add(Json.Num.of(at)).add(Json.Num.of(e.getValue().byteSize())));
            placement.add(new long[] {at, e.getValue().byteSize()});
            at += e.getValue().byteSize();
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        long dataStart = align(MAGIC.length + 8 + json.length);
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            return;  // no cache this time; the model is loaded all the same
        }
        AtomicFile.write(file, out -> {
            ByteBuffer head = ByteBuffer.allocate((int) dataStart).order(ByteOrder.LITTLE_ENDIAN);
            head.put(MAGIC).putLong(json.length).put(json);
            head.clear();
            write(out, head, 0);
            // Through an off-heap staging buffer: heap segments of float[] have no ByteBuffer view.
            ByteBuffer staging = ByteBuffer.allocateDirect(8 << 20);
            MemorySegment stagingSegment = MemorySegment.ofBuffer(staging);
            int i = 0;
            for (MemorySegment s : arrays.values()) {
                long position = dataStart + placement.get(i++)[0];
                for (long off = 0; off < s.byteSize(); off += staging.capacity()) {
                    int n = (int) Math.min(staging.capacity(), s.byteSize() - off);
                    MemorySegment.copy(s, off, stagingSegment, 0, n);
                    staging.clear().limit(n);
                    write(out, staging, position + off);
                }
            }
        });
    }

    private static void write(FileChannel out, ByteBuffer b, long position) throws IOException {
        while (b.hasRemaining()) position += out.write(b, position);
    }

    private static long align(long x) {
        return (x + ALIGN - 1) / ALIGN * ALIGN;
    }

    /**
     * Maps a cache file back into weights for {@code cfg}, or returns empty when the file is absent or does
     * not match (wrong magic, header, sizes): then it is deleted so the next load rewrites it.
     */
    static Optional<ModelWeights> read(Path file, ModelConfig cfg) {
        if (!Files.isRegularFile(file)) return Optional.empty();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            Arena arena = Arena.ofAuto();
            MemorySegment mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            // Seen as a plain native segment of the same arena (which keeps the mapping alive): the matrix
            // kernel then meets one segment class whether weights are mapped or freshly packed; with two,
            // C2 compiled its loads for both and the forward pass lost a third of its speed.
            MemorySegment all = MemorySegment.ofAddress(mapped.address()).reinterpret(size, arena, null);
            if (size < MAGIC.length + 8 || MemorySegment.mismatch(MemorySegment.ofArray(MAGIC), 0, MAGIC.length, all, 0, MAGIC.length) != -1) return invalid(file);
            long jsonLength = all.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), MAGIC.length);
            if (jsonLength <= 0 || jsonLength > Math.min(size, 16 << 20)) return invalid(file);
            byte[] json = all.asSlice(MAGIC.length + 8, jsonLength).toArray(ValueLayout.JAVA_BYTE);
            if (!(Json.parse(new String(json, StandardCharsets.UTF_8), 8) instanceof Json.Obj header)
                    || !(header.get("format") instanceof Json.Num format) || !format.fitsLong() || format.asLong() != FORMAT
                    || !(header.get("config") instanceof Json.Str config) || !config.value().equals(shape(cfg))
                    || !(header.get("arrays") instanceof Json.Obj index)) {
                return invalid(file);
            }
            long dataStart = align(MAGIC.length + 8 + jsonLength);
            Slicer s = new Slicer(all, dataStart, index);
            int d = cfg.dModel(), he = cfg.nHeads() * cfg.dHead(), m = cfg.dMlp(), v = cfg.dVocabOut();
            RowTable wE = RowTable.of(cfg.dVocab(), d, s.slice("wE", (long) cfg.dVocab() * d));
            RowTable wPos = RowTable.of(cfg.nCtx(), d, s.slice("wPos", (long) cfg.nCtx() * d));
            PackedMatrix wU = PackedMatrix.of(d, v, s.slice("wU", PackedMatrix.packedFloats(d, v)));
            float[] bU = s.floats("bU", v);
            float[] lnfW = index.has("lnfW") ? s.floats("lnfW", d) : null, lnfB = index.has("lnfB") ? s.floats("lnfB", d) : null;
            ModelWeights.Layer[] layers = new ModelWeights.Layer[cfg.nLayers()];
            for (int l = 0; l < layers.length; l++) {
                boolean ln = index.has(l + ".ln1w");
                layers[l] = new ModelWeights.Layer(
                        PackedMatrix.of(d, 3 * he, s.slice(l + ".wQKV", PackedMatrix.packedFloats(d, 3 * he))), s.floats(l + ".bQKV", 3 * he),
                        PackedMatrix.of(he, d, s.slice(l + ".wO", PackedMatrix.packedFloats(he, d))), s.floats(l + ".bO", d),
                        PackedMatrix.of(d, m, s.slice(l + ".wIn", PackedMatrix.packedFloats(d, m))), s.floats(l + ".bIn", m),
                        PackedMatrix.of(m, d, s.slice(l + ".wOut", PackedMatrix.packedFloats(m, d))), s.floats(l + ".bOut", d),
                        ln ? s.floats(l + ".ln1w", d) : null, ln ? s.floats(l + ".ln1b", d) : null,
                        ln ? s.floats(l + ".ln2w", d) : null, ln ? s.floats(l + ".ln2b", d) : null);
            }
            return Optional.of(new ModelWeights(wE, wPos, wU, bU, lnfW, lnfB, layers));
        } catch (IOException | RuntimeException e) {
            return invalid(file);
        }
    }

    private static Optional<ModelWeights> invalid(Path file) {
        return CacheFiles.discard(file);
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
    }
}
