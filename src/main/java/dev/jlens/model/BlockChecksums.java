package dev.jlens.model;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;

/** The CRC-32C of each fixed-size block of a byte stream that is fed in order. */
final class BlockChecksums {
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 << 10);

    private final int blockBytes;
    private long[] crcs = new long[16];
    private int blocks;
    private CRC32C current = new CRC32C();
    private long inCurrent;

    BlockChecksums(int blockBytes) {
        this.blockBytes = blockBytes;
    }

    /** Adds the buffer's remaining bytes (consumes them). */
    void update(ByteBuffer bytes) {
        while (bytes.hasRemaining()) {
            int n = (int) Math.min(bytes.remaining(), blockBytes - inCurrent);
            int limit = bytes.limit();
            bytes.limit(bytes.position() + n);
            current.update(bytes);
            bytes.limit(limit);
            inCurrent += n;
            if (inCurrent == blockBytes) endBlock();
        }
    }

    /** Adds {@code n} zero bytes. */
    void zeros(long n) {
        for (long left = n; left > 0; ) {
            int chunk = (int) Math.min(left, ZEROS.capacity());
            update(ZEROS.duplicate().limit(chunk));
            left -= chunk;
        }
    }

    /** The checksums of all blocks, the last one possibly short. */
    long[] finish() {
        if (inCurrent > 0) endBlock();
        return Arrays.copyOf(crcs, blocks);
    }

    private void endBlock() {
        if (blocks == crcs.length) crcs = Arrays.copyOf(crcs, blocks * 2);
        crcs[blocks++] = current.getValue();
        current = new CRC32C();
        inCurrent = 0;
    }
}
