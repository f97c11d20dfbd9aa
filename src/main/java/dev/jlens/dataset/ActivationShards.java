package dev.jlens.dataset;

import dev.jlens.JlensException;
import dev.jlens.io.AtomicFile;
import dev.jlens.io.Json;
import dev.jlens.io.SafetensorsWriter;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Activation shards in a folder, one safetensors file per shard ({@code shard-000000.safetensors}): a float32 tensor
 * per hook point, shaped {@code [rows, positions, ...]}, and in the header's metadata the shard's first row, its
 * rows' token ids and the documents they come from (JSON). Once every shard is written, {@link #finish} writes
 * {@code manifest.json}: the hook names and shapes, and per shard its file, rows, token ids and documents. Python
 * reads it all with {@code json}, {@code safetensors} and numpy.
 */
public final class ActivationShards implements ShardSink<ActivationExport.Row> {
    public static final String MANIFEST = "manifest.json";
    private static final String SUFFIX = ".safetensors";
    private final ShardFolder shards;

    private ActivationShards(ShardFolder shards) {
        this.shards = shards;
    }

    /**
     * The folder for {@code job}, kept, emptied or refused as {@link ShardFolder#open} says; a finished export (with
     * its manifest) is replaced only with {@code overwrite}.
     */
    public static ActivationShards open(Path folder, Json.Obj job, boolean resume, boolean overwrite) {
        if (!overwrite && Files.isRegularFile(folder.resolve(MANIFEST))) {
            throw new JlensException(folder + ": holds a finished export (" + MANIFEST + "); --overwrite to replace it");
        }
        return new ActivationShards(ShardFolder.open(folder, SUFFIX, job, resume, overwrite));
    }

    /** Removes the folder and what it holds: a run that had nothing to export leaves no half-made export behind. */
    public void discard() {
        shards.delete();
    }

    @Override
    public Set<Long> completed() {
        return shards.completed();
    }

    @Override
    public void write(long shard, List<ActivationExport.Row> rows) {
        SafetensorsWriter.write(shards.file(shard), tensors(rows), metadata(rows));
    }

    /**
     * The same bytes as the file of a shard of {@code rows}, to {@code out}: another engine's writer (Spark's
     * executors, to storage of their own) makes the shards this folder would hold.
     */
    public static void write(WritableByteChannel out, List<ActivationExport.Row> rows) throws IOException {
        SafetensorsWriter.write(out, tensors(rows), metadata(rows));
    }

    /** The file name of shard {@code shard}. */
    public static String fileName(long shard) {
        return ShardFolder.fileName(shard, SUFFIX);
    }

    /** Per hook point, the rows' activations stacked: {@code [rows, positions, ...]}. */
    private static LinkedHashMap<String, SafetensorsWriter.Tensor> tensors(List<ActivationExport.Row> rows) {
        ActivationExport.Row first = rows.getFirst();
        LinkedHashMap<String, SafetensorsWriter.Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> hook : first.shapes().entrySet()) {
            int[] shape = hook.getValue();
            int size = first.activations().get(hook.getKey()).length;
            float[] values = new float[Math.multiplyExact(size, rows.size())];
            for (int r = 0; r < rows.size(); r++) {
                ActivationExport.Row row = rows.get(r);
                if (!Arrays.equals(row.shapes().get(hook.getKey()), shape)) {
                    throw new JlensException("row " + row.source().row() + ": " + hook.getKey() + " is shaped " + Arrays.toString(row.shapes().get(hook.getKey()))
                            + ", row " + first.source().row() + "'s " + Arrays.toString(shape) + "; a shard's rows must have one length");
                }
                System.arraycopy(row.activations().get(hook.getKey()), 0, values, r * size, size);
            }
            long[] stacked = new long[shape.length + 1];
            stacked[0] = rows.size();
            for (int i = 0; i < shape.length; i++) stacked[i + 1] = shape[i];
            tensors.put(hook.getKey(), new SafetensorsWriter.Tensor(stacked, values));
        }
        return tensors;
    }

    /** The shard's first row, its rows' token ids and the documents they come from. */
    private static Map<String, String> metadata(List<ActivationExport.Row> rows) {
        Json.Arr tokens = new Json.Arr(), firstDocument = new Json.Arr(), lastDocument = new Json.Arr();
        for (ActivationExport.Row row : rows) {
            tokens.add(Json.Arr.ofInts(row.source().tokens()));
            firstDocument.add(Json.Num.of(row.source().firstDocument()));
            lastDocument.add(Json.Num.of(row.source().lastDocument()));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", "pt");
        metadata.put("first_row", Long.toString(rows.getFirst().source().row()));
        metadata.put("tokens", tokens.toString());
        metadata.put("first_document", firstDocument.toString());
        metadata.put("last_document", lastDocument.toString());
        return metadata;
    }

    /**
     * Writes the manifest from the shards' headers (so a resumed run's shards count as well): {@code about} (model,
     * context, ...) and the hooks with their per-row shapes, the rows and tokens in all, and the shards. Returns it.
     */
    public Json.Obj finish(Json.Obj about) {
        List<ShardHeader> headers = new java.util.ArrayList<>();
        for (Path file : shards.files()) {
            try (InputStream in = Files.newInputStream(file)) {
                headers.add(new ShardHeader(file.getFileName().toString(), header(in)));
            } catch (IOException e) {
                throw new JlensException(file + ": cannot be read (" + e.getMessage() + ")");
            }
        }
        Json.Obj manifest = manifest(about, headers);
        AtomicFile.writeString(shards.folder().resolve(MANIFEST), manifest + "\n");
        return manifest;
    }

    /** What a manifest says first: the format, the model, the tokens per row and whether BOS leads them. */
    public static Json.Obj about(String modelName, int context, boolean prependBos) {
        return new Json.Obj().put("format", "jlens activations").put("model", modelName).put("context", Json.Num.of(context))
                .put("prepend_bos", new Json.Bool(prependBos));
    }

    /** A shard file's name and its safetensors header. */
    public record ShardHeader(String file, Json.Obj header) {}

    /** The manifest of the shards of these headers (in shard order), {@code about} first; its file holds it and a newline. */
    public static Json.Obj manifest(Json.Obj about, List<ShardHeader> shardHeaders) {
        Json.Obj hooks = new Json.Obj();
        Json.Arr list = new Json.Arr();
        long rows = 0, tokens = 0;
        for (ShardHeader shard : shardHeaders) {
            Json.Obj header = shard.header();
            Json.Obj meta = (Json.Obj) header.get("__metadata__");
            Json.Arr shardTokens = (Json.Arr) Json.parse(((Json.Str) meta.get("tokens")).value(), 8);
            long n = shardTokens.size();
            for (String name : header.names()) {
                if (name.equals("__metadata__")) continue;
                Json.Arr shape = (Json.Arr) ((Json.Obj) header.get(name)).get("shape");
                Json.Arr perRow = new Json.Arr();
                for (int i = 1; i < shape.size(); i++) perRow.add(shape.get(i));
                if (!hooks.has(name)) hooks.put(name, new Json.Obj().put("dtype", "F32").put("shape", perRow));
            }
            for (int i = 0; i < shardTokens.size(); i++) tokens += ((Json.Arr) shardTokens.get(i)).size();
            list.add(new Json.Obj().put("file", shard.file()).put("first_row", Json.Num.of(Long.parseLong(((Json.Str) meta.get("first_row")).value())))
                    .put("rows", Json.Num.of(n)).put("tokens", shardTokens)
                    .put("first_document", Json.parse(((Json.Str) meta.get("first_document")).value(), 8))
                    .put("last_document", Json.parse(((Json.Str) meta.get("last_document")).value(), 8)));
            rows += n;
        }
        Json.Obj manifest = new Json.Obj();
        for (String name : about.names()) manifest.put(name, about.get(name));
        manifest.put("hooks", hooks).put("rows", Json.Num.of(rows)).put("tokens", Json.Num.of(tokens)).put("shards", list);
        return manifest;
    }

    /** A safetensors file's header, read from its start without its data. */
    public static Json.Obj header(InputStream in) throws IOException {
        long length = ByteBuffer.wrap(in.readNBytes(8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return (Json.Obj) Json.parse(new String(in.readNBytes(Math.toIntExact(length)), StandardCharsets.UTF_8), 16);
    }
}
