package dev.jlens.io;

import dev.jlens.JlensException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;

/**
 * A checkpoint split into safetensors shards, as Hugging Face saves one above its shard size:
 * {@code model.safetensors.index.json} maps each tensor name to the shard file (beside it) that holds it.
 * Each shard is opened and validated as a {@link SafetensorsFile}; the index must name existing shards only,
 * and every tensor must be in the shard the index names.
 */
public final class ShardedCheckpoint implements Checkpoint {
    /** The index's name in a Hugging Face model folder. */
    public static final String INDEX = "model.safetensors.index.json";
    private static final long MAX_INDEX_BYTES = 64L << 20;

    private final Path index;
    private final List<SafetensorsFile> shards;
    private final TreeMap<String, SafetensorsFile> byName = new TreeMap<>();

    private ShardedCheckpoint(Path index, List<SafetensorsFile> shards) {
        this.index = index;
        this.shards = shards;
    }

    /** Opens the shards that {@code index} names (all of them, or none: a failure closes those opened). */
    public static ShardedCheckpoint open(Path index) {
        Map<String, String> weightMap = weightMap(index);
        Map<String, SafetensorsFile> byFile = new LinkedHashMap<>();
        ShardedCheckpoint ckpt = new ShardedCheckpoint(index, new ArrayList<>());
        try {
            for (Map.Entry<String, String> e : weightMap.entrySet()) {
                String file = e.getValue();
                Path shardFile = shardFile(index, file);
                SafetensorsFile shard = byFile.computeIfAbsent(file, f -> {
                    SafetensorsFile opened = SafetensorsFile.open(shardFile);
                    ckpt.shards.add(opened);
                    return opened;
                });
                if (!shard.names().contains(e.getKey())) {
                    throw new JlensException(index + ": tensor \"" + e.getKey() + "\" is not in " + file + ", where the index puts it");
                }
                ckpt.byName.put(e.getKey(), shard);
            }
        } catch (RuntimeException e) {
            ckpt.close();
            throw e;
        }
        return ckpt;
    }

    private static Map<String, String> weightMap(Path index) {
        String text;
        try {
            text = SmallFiles.utf8(index.toString(), SmallFiles.read(index, MAX_INDEX_BYTES, "safetensors index"));
        } catch (IOException e) {
            throw new JlensException(index + ": cannot read (" + e.getMessage() + ")");
        }
        if (!(Json.parse(index.toString(), text, 8) instanceof Json.Obj root) || !(root.get("weight_map") instanceof Json.Obj map)) {
            throw new JlensException(index + ": no \"weight_map\" object");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : map.names()) {
            if (!(map.get(name) instanceof Json.Str file)) throw new JlensException(index + ": weight_map[\"" + name + "\"] is not a file name");
            out.put(name, file.value());
        }
        if (out.isEmpty()) throw new JlensException(index + ": weight_map is empty");
        return out;
    }

    @Override
    public Path file() {
        return index;
    }

    @Override
    public SortedSet<String> names() {
        return Collections.unmodifiableSortedSet(byName.navigableKeySet());
    }

    @Override
    public TensorInfo info(String name) {
        return shard(name).info(name);
    }

    @Override
    public float[] readFloat32(String name) {
        return shard(name).readFloat32(name);
    }

    @Override
    public void close() {
        for (SafetensorsFile s : shards) s.close();
    }

    private SafetensorsFile shard(String name) {
        SafetensorsFile s = byName.get(name);
        if (s == null) throw new JlensException(index + ": no tensor \"" + name + "\" (the index maps " + byName.size() + ")");
        return s;
    }

    /**
     * The files a sharded checkpoint is made of: the index, then each shard it names once, in the index's order
     * (what a cache entry made from the checkpoint must be keyed by).
     */
    public static List<Path> files(Path index) {
        List<Path> files = new ArrayList<>();
        files.add(index);
        for (String file : new java.util.LinkedHashSet<>(weightMap(index).values())) files.add(shardFile(index, file));
        return files;
    }

    private static Path shardFile(Path index, String file) {
        if (file.contains("/") || file.contains("\\") || file.startsWith(".")) {
            throw new JlensException(index + ": shard \"" + file + "\" is not a file name beside the index");
        }
        return index.resolveSibling(file);
    }

    /** Whether {@code file} is a sharded checkpoint's index (by its name). */
    public static boolean isIndex(Path file) {
        return file.getFileName() != null && file.getFileName().toString().equals(INDEX);
    }

    /** Whether {@code dir} holds a sharded checkpoint (and no single-file one). */
    public static boolean isIn(Path dir) {
        return Files.isRegularFile(dir.resolve(INDEX));
    }
}
