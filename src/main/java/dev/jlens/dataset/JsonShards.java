package dev.jlens.dataset;

import dev.jlens.JlensException;
import dev.jlens.io.AtomicFile;
import dev.jlens.io.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A job's shards in a folder, one JSON Lines file per shard ({@code shard-000000.jsonl}), each written atomically,
 * beside a {@code job.json} that says which job they belong to: a run resumes only the same job. Floats are written
 * as the exact decimal of their value, so they read back as the same float.
 */
public final class JsonShards implements ShardSink<Map<String, Object>> {
    private static final String JOB = "job.json", PREFIX = "shard-", SUFFIX = ".jsonl";
    private final Path folder;

    private JsonShards(Path folder) {
        this.folder = folder;
    }

    /**
     * The shard folder for {@code job} (a description of the job: model, dataset, options): created if absent; if
     * present, kept when {@code resume} and it is the same job, emptied when {@code overwrite} or when no shard was
     * completed, refused otherwise.
     */
    public static JsonShards open(Path folder, Json.Obj job, boolean resume, boolean overwrite) {
        try {
            if (Files.exists(folder)) {
                Path jobFile = folder.resolve(JOB);
                if (overwrite || new JsonShards(folder).shardFiles().isEmpty()) {
                    delete(folder);
                } else if (!resume) {
                    throw new JlensException(folder + ": holds the shards of an unfinished run; --resume to continue it or --overwrite to start again");
                } else if (!Files.isRegularFile(jobFile) || !Files.readString(jobFile).strip().equals(job.toString())) {
                    throw new JlensException(folder + ": holds the shards of a different job (other model, dataset or options); --overwrite to start again");
                }
            }
            if (!Files.exists(folder)) {
                Files.createDirectories(folder);
                AtomicFile.writeString(folder.resolve(JOB), job + "\n");
            }
        } catch (IOException e) {
            throw new JlensException(folder + ": cannot be written (" + e.getMessage() + ")");
        }
        return new JsonShards(folder);
    }

    @Override
    public Set<Long> completed() {
        Set<Long> out = new TreeSet<>();
        for (Path p : shardFiles()) {
            String name = p.getFileName().toString();
            out.add(Long.parseLong(name.substring(PREFIX.length(), name.length() - SUFFIX.length())));
        }
        return out;
    }

    @Override
    public void write(long shard, List<Map<String, Object>> rows) {
        StringBuilder b = new StringBuilder();
        for (Map<String, Object> row : rows) b.append(toJson(row)).append('\n');
        AtomicFile.writeString(folder.resolve(String.format(Locale.ROOT, PREFIX + "%06d" + SUFFIX, shard)), b.toString());
    }

    /** The shard files, in shard order. */
    public List<Path> shardFiles() {
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(p -> {
                String n = p.getFileName().toString();
                return n.startsWith(PREFIX) && n.endsWith(SUFFIX);
            }).sorted().toList();
        } catch (IOException e) {
            throw new JlensException(folder + ": cannot be read (" + e.getMessage() + ")");
        }
    }

    public Path folder() {
        return folder;
    }

    /** Removes the folder and its shards (after the table was written). */
    public void delete() {
        try {
            delete(folder);
        } catch (IOException e) {
            throw new JlensException(folder + ": cannot be removed (" + e.getMessage() + ")");
        }
    }

    private static void delete(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            for (Path p : s.toList()) Files.delete(p);
        }
        Files.delete(folder);
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
