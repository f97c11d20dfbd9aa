package dev.jlens.dataset;

import dev.jlens.io.AtomicFile;
import dev.jlens.io.Json;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A job's result rows in a {@link ShardFolder}, one JSON Lines file per shard ({@code shard-000000.jsonl}). Floats are written
 * as the exact decimal of their value, so they read back as the same float.
 */
public final class JsonShards implements ShardSink<Map<String, Object>> {
    private final ShardFolder shards;

    private JsonShards(ShardFolder shards) {
        this.shards = shards;
    }

    /** The shard folder for {@code job}, as {@link ShardFolder#open} keeps, empties or refuses it. */
    public static JsonShards open(Path folder, Json.Obj job, boolean resume, boolean overwrite) {
        return new JsonShards(ShardFolder.open(folder, ".jsonl", job, resume, overwrite));
    }

    @Override
    public Set<Long> completed() {
        return shards.completed();
    }

    @Override
    public void write(long shard, List<Map<String, Object>> rows) {
        StringBuilder b = new StringBuilder();
        for (Map<String, Object> row : rows) b.append(toJson(row)).append('\n');
        AtomicFile.writeString(shards.file(shard), b.toString());
    }

    /** The shard files, in shard order. */
    public List<Path> shardFiles() {
        return shards.files();
    }

    public Path folder() {
        return shards.folder();
    }

    /** Removes the folder and its shards (after the table was written). */
    public void delete() {
        shards.delete();
    }

    static Json.Obj toJson(Map<String, Object> row) {
        Json.Obj o = new Json.Obj();
        for (Map.Entry<String, Object> e : row.entrySet()) o.put(e.getKey(), value(e.getValue()));
        return o;
    }

    private static Json value(Object v) {
        return switch (v) {
            case null -> Json.Null.NULL;
            case String s -> new Json.Str(s);
            case Long l -> Json.Num.of(l);
            case Integer i -> Json.Num.of(i);
            case Float f -> exact(f);
            case int[] a -> Json.Arr.ofInts(a);
            case float[] a -> {
                Json.Arr arr = new Json.Arr();
                for (float x : a) arr.add(exact(x));
                yield arr;
            }
            case float[][] m -> {
                Json.Arr arr = new Json.Arr();
                for (float[] r : m) arr.add(value(r));
                yield arr;
            }
            default -> throw new IllegalArgumentException("not a result value: " + v.getClass().getName());
        };
    }

    /** A float's exact value as a decimal (its double's shortest form), which every reader rounds back to the same float. */
    private static Json exact(float f) {
        return Float.isFinite(f) ? new Json.Num(Double.toString(f)) : new Json.Str(Float.toString(f));
    }
}
