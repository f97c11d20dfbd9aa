package dev.jlens.cli;

import java.nio.file.Path;

/** Where a batch run keeps its shards (as {@code BatchJob.shardFolder}), spelled out for tests. */
final class BatchJobFiles {
    private BatchJobFiles() {}

    static Path shardFolder(Path out) {
        return out.resolveSibling(out.getFileName() + ".shards");
    }
}
