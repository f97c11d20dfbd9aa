package dev.jlens.spark;

import dev.jlens.JlensException;
import dev.jlens.dataset.ActivationExport;
import dev.jlens.dataset.ActivationShards;
import dev.jlens.dataset.TokenRow;
import dev.jlens.io.Json;
import dev.jlens.model.HookedTransformer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;

import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * {@code jlens activations} on Spark: each task runs one shard's rows in the local engine's batches through
 * {@link ActivationExport} and writes the shard's safetensors file, the bytes the local engine writes
 * ({@link ActivationShards#write(java.nio.channels.WritableByteChannel, List)}), to storage every node sees; the driver
 * then writes the manifest from the shards' headers. Every attempt of a task (a retry, a speculative copy) writes
 * its own file and moves it to the shard's name: attempts write the same bytes, so whichever lands last changes
 * nothing, and a killed attempt leaves only its own file, removed before the folder is moved into place.
 */
final class SparkActivations {
    private static final String ATTEMPT = ".attempt-";

    private SparkActivations() {}

    /** Exports {@code rows} into the folder {@code out} (written beside it, then moved into place); returns the manifest. */
    static Json.Obj export(SparkSession spark, ModelRef model, Shards.Sharded<TokenRow> rows, String hooks, int batchSize, Json.Obj about, String out) {
        SerializableConfiguration conf = new SerializableConfiguration(spark.sparkContext().hadoopConfiguration());
        Json.Obj[] manifest = new Json.Obj[1];
        Tables.writeWhole(spark, out, partial -> {
            try {
                FileSystem fs = files(partial, conf.value());
                if (!fs.mkdirs(partial)) throw new IOException("cannot create " + partial);
                String folder = partial.toString();
                rows.rows().mapPartitionsWithIndex((shard, it) -> {
                    List<TokenRow> shardRows = SparkCorpus.drain(it);
                    if (shardRows.isEmpty()) return List.<Integer>of().iterator();
                    HookedTransformer m = ExecutorModels.get(model);
                    ActivationExport f = ActivationExport.on(m, hooks);
                    List<ActivationExport.Row> results = new ArrayList<>();
                    for (List<TokenRow> batch : SparkCorpus.batches(shardRows, batchSize)) results.addAll(f.apply(batch));
                    put(conf.value(), new Path(folder), ActivationShards.fileName(shard), results);
                    return List.of(shard).iterator();
                }, true).count();
                List<ActivationShards.ShardHeader> headers = headers(fs, partial);
                manifest[0] = ActivationShards.manifest(about, headers);
                long written = ((Json.Num) manifest[0].get("rows")).asLong();
                if (headers.size() != rows.rows().getNumPartitions() || written != rows.count()) {
                    throw new JlensException(out + ": the job wrote " + headers.size() + " shards of " + written + " rows, not "
                            + rows.rows().getNumPartitions() + " of " + rows.count());
                }
                try (FSDataOutputStream o = fs.create(new Path(partial, ActivationShards.MANIFEST), true)) {
                    o.write((manifest[0] + "\n").getBytes(StandardCharsets.UTF_8));
                }
                removeAttempts(fs, partial);
            } catch (IOException e) {
                throw new JlensException(out + ": cannot be written (" + e.getMessage() + ")");
            }
        });
        return manifest[0];
    }

    /**
     * Writes a shard's file as this task attempt's own file in {@code folder}, then moves it to {@code name}. The
     * attempt's file is made only in a folder that exists: an attempt that outlives its job (killed once another
     * attempt won, but still running) finds the folder moved away and writes nothing.
     */
    private static void put(Configuration conf, Path folder, String name, List<ActivationExport.Row> rows) throws IOException {
        TaskContext task = TaskContext.get();
        if (task != null && task.isInterrupted()) return;
        FileSystem fs = files(folder, conf);
        Path attempt = new Path(folder, "." + name + ATTEMPT + (task == null ? 0 : task.taskAttemptId())), target = new Path(folder, name);
        try (FSDataOutputStream o = fs.createNonRecursive(attempt, true, 1 << 16, fs.getDefaultReplication(attempt), fs.getDefaultBlockSize(attempt), null)) {
            ActivationShards.write(Channels.newChannel(o), rows);
        }
        if (!fs.rename(attempt, target)) {
            // HDFS does not replace a file: the target is another attempt's, with the same bytes
            if (!fs.exists(target)) throw new IOException("cannot move " + attempt + " to " + target);
            fs.delete(attempt, false);
        }
    }

    /** The shards' headers, in shard order. */
    private static List<ActivationShards.ShardHeader> headers(FileSystem fs, Path folder) throws IOException {
        FileStatus[] files = fs.listStatus(folder, p -> p.getName().startsWith("shard-") && p.getName().endsWith(".safetensors"));
        Arrays.sort(files, Comparator.comparing(f -> f.getPath().getName()));
        List<ActivationShards.ShardHeader> out = new ArrayList<>();
        for (FileStatus f : files) {
            try (FSDataInputStream in = fs.open(f.getPath())) {
                out.add(new ActivationShards.ShardHeader(f.getPath().getName(), ActivationShards.header(in)));
            }
        }
        return out;
    }

    /** The files of attempts that did not finish (their executor was killed). */
    private static void removeAttempts(FileSystem fs, Path folder) throws IOException {
        for (FileStatus f : fs.listStatus(folder, p -> p.getName().contains(ATTEMPT))) fs.delete(f.getPath(), false);
    }

    /** The folder's file system; a local one without checksum files beside the shards (a folder as the local engine's). */
    private static FileSystem files(Path folder, Configuration conf) throws IOException {
        FileSystem fs = folder.getFileSystem(conf);
        return fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
    }
}
