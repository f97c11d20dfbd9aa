package dev.jlens.io;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Which reader a file needs, told by its first bytes. */
enum CheckpointFormat {
    SAFETENSORS, TORCH_ZIP, TORCH_LEGACY;

    private static final int PICKLE_PROTO = 0x80;

    static CheckpointFormat of(MemorySegment bytes) {
        long size = bytes.byteSize();
        if (size >= 4 && byteAt(bytes, 0) == 'P' && byteAt(bytes, 1) == 'K'
                && (byteAt(bytes, 2) == 3 && byteAt(bytes, 3) == 4 || byteAt(bytes, 2) == 5 && byteAt(bytes, 3) == 6)) {
            return TORCH_ZIP;
        }
        // A safetensors header length can itself start with 0x80, so its JSON '{' after the length decides first.
        if (size >= 9 && byteAt(bytes, 8) == '{') {
            return SAFETENSORS;
        }
        if (size >= 2 && byteAt(bytes, 0) == PICKLE_PROTO) {
            return TORCH_LEGACY;
        }
        // Anything else gets the safetensors checks, whose messages say precisely what is wrong.
        return SAFETENSORS;
    }

    private static int byteAt(MemorySegment bytes, long offset) {
        return bytes.get(ValueLayout.JAVA_BYTE, offset) & 0xFF;
    }
}
