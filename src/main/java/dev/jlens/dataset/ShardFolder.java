package dev.jlens.dataset;

import dev.jlens.JlensException;
import dev.jlens.io.AtomicFile;
import dev.jlens.io.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A folder of a job's shards, one file per shard ({@code shard-000000.<ext>}), each written atomically, beside a
 * {@code job.json} that says which job they belong to: a run resumes only the same job.
 */
final class ShardFolder {
    static final String JOB = "job.json";
    private static final String PREFIX = "shard-";
    private final Path folder;
    private final String suffix;

    private ShardFolder(Path folder, String suffix) {
        this.folder = folder;
        this.suffix = suffix;
    }

    /**
     * The shard folder for {@code job} (a description of the job: model, dataset, options): created if absent; if
     * present, kept when {@code resume} and it is the same job, emptied when {@code overwrite} or when no shard was
     * completed, refused otherwise. A folder that is not a job's (no {@code job.json}, other files) is never emptied.
     */
    static ShardFolder open(Path folder, String suffix, Json.Obj job, boolean resume, boolean overwrite) {
        ShardFolder shards = new ShardFolder(folder, suffix);
        try {
            if (Files.exists(folder)) {
                Path jobFile = folder.resolve(JOB);
                if (!Files.isDirectory(folder)) throw new JlensException(folder + ": exists and is not a folder");
                if (!Files.isRegularFile(jobFile) && !isEmpty(folder)) {
                    throw new JlensException(folder + ": exists and is not a jlens job's folder (no " + JOB + "); name a new or empty folder");
                }
                if (overwrite || shards.files().isEmpty()) {
                    delete(folder);
                } else if (!resume) {
                    throw new JlensException(folder + ": holds the shards of an unfinished run; --resume to continue it or --overwrite to start again");
                } else if (!Files.readString(jobFile).strip().equals(job.toString())) {
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
        return shards;
    }

    private static boolean isEmpty(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.findAny().isEmpty();
        }
    }

    Path folder() {
        return folder;
    }

    /** Where shard {@code k} is (or goes). */
    Path file(long shard) {
        return folder.resolve(fileName(shard, suffix));
    }

    /** The name of shard {@code k}'s file. */
    static String fileName(long shard, String suffix) {
        return String.format(Locale.ROOT, PREFIX + "%06d" + suffix, shard);
    }

    /** The shards complete on disk. */
    Set<Long> completed() {
        Set<Long> out = new TreeSet<>();
        for (Path p : files()) {
            String name = p.getFileName().toString();
            out.add(Long.parseLong(name.substring(PREFIX.length(), name.length() - suffix.length())));
        }
        return out;
    }

    /** The shard files, in shard order. */
    List<Path> files() {
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(p -> {
                String n = p.getFileName().toString();
                return n.startsWith(PREFIX) && n.endsWith(suffix) && n.length() == PREFIX.length() + 6 + suffix.length();
            }).sorted().toList();
        } catch (IOException e) {
            throw new JlensException(folder + ": cannot be read (" + e.getMessage() + ")");
        }
    }

    /** Removes the folder and its files (after the result was written). */
    void delete() {
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
}
