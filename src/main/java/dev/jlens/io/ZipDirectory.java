package dev.jlens.io;

import dev.jlens.util.Text;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The central directory of a zip archive read straight from the mapped file, so that stored
 * (uncompressed) entries can be used in place as memory segments. {@code java.util.zip} cannot say
 * where an entry's bytes start, and torch checkpoints reach many gigabytes (hence ZIP64 support).
 */
final class ZipDirectory {

    /** One central directory record; {@link #data} finds its bytes through the local header. */
    record Entry(String name, int flags, int method, long compressedSize, long size, long localHeaderOffset) {
    }

    private static final int END_SIGNATURE = 0x06054b50;
    private static final int ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
    private static final int ZIP64_END_SIGNATURE = 0x06064b50;
    private static final int CENTRAL_SIGNATURE = 0x02014b50;
    private static final int LOCAL_SIGNATURE = 0x04034b50;
    private static final int END_SIZE = 22;
    private static final int CENTRAL_SIZE = 46;
    private static final int LOCAL_SIZE = 30;
    private static final int ZIP64_END_SIZE = 56;
    private static final int ZIP64_LOCATOR_SIZE = 20;
    private static final int MAX_COMMENT = 0xFFFF;
    private static final int ZIP64_EXTRA_ID = 0x0001;
    private static final long U32_MAX = 0xFFFFFFFFL;
    private static final int STORED = 0;
    private static final int ENCRYPTED_FLAG = 1;

    private final MappedFile file;
    private final Map<String, Entry> entries;

    private ZipDirectory(MappedFile file, Map<String, Entry> entries) {
        this.file = file;
        this.entries = entries;
    }

    static ZipDirectory read(MappedFile file) {
        return new ZipDirectory(file, new Reader(file).entries());
    }

    Set<String> names() {
        return entries.keySet();
    }

    boolean contains(String name) {
        return entries.containsKey(name);
    }

    Entry entry(String name) {
        Entry entry = entries.get(name);
        if (entry == null) {
            throw file.error("zip archive has no entry " + Text.quote(name));
        }
        return entry;
    }

    /** The bytes of a stored entry, as a slice of the mapping. */
    MemorySegment data(String name) {
        Entry entry = entry(name);
        String where = "zip entry " + Text.quote(name);
        if ((entry.flags() & ENCRYPTED_FLAG) != 0) {
            throw file.error(where + " is encrypted");
        }
        if (entry.method() != STORED) {
            throw file.error(where + " is compressed (method " + entry.method() + "); torch stores checkpoint entries uncompressed");
        }
        if (entry.compressedSize() != entry.size()) {
            throw file.error(where + " is stored but its sizes differ (" + entry.compressedSize() + " and " + entry.size() + ")");
        }
        MemorySegment bytes = file.bytes();
        long fileSize = bytes.byteSize();
        long local = entry.localHeaderOffset();
        if (local > fileSize - LOCAL_SIZE || signature(bytes, local) != LOCAL_SIGNATURE) {
            throw file.error(where + " has no local header at offset " + local);
        }
        long dataStart = local + LOCAL_SIZE + u16(bytes, local + 26) + u16(bytes, local + 28);
        if (dataStart > fileSize || entry.size() > fileSize - dataStart) {
            throw file.error(where + " (" + entry.size() + " bytes at offset " + dataStart + ") reaches past the end of the file");
        }
        return bytes.asSlice(dataStart, entry.size());
    }

    private static int u16(MemorySegment bytes, long offset) {
        return bytes.get(Elements.I16, offset) & 0xFFFF;
    }

    private static int signature(MemorySegment bytes, long offset) {
        return bytes.get(Elements.I32, offset);
    }

    private static long u32(MemorySegment bytes, long offset) {
        return bytes.get(Elements.I32, offset) & U32_MAX;
    }

    private static long u64(MemorySegment bytes, long offset) {
        return bytes.get(Elements.I64, offset);
    }

    /** Parses the end records and the central directory, checking every offset against the file. */
    private static final class Reader {
        private final MappedFile file;
        private final MemorySegment bytes;
        private final long fileSize;

        Reader(MappedFile file) {
            this.file = file;
            this.bytes = file.bytes();
            this.fileSize = bytes.byteSize();
        }

        Map<String, Entry> entries() {
            long end = findEndRecord();
            long count = u16(bytes, end + 10);
            long directorySize = u32(bytes, end + 12);
            long directoryOffset = u32(bytes, end + 16);
            long locator = end - ZIP64_LOCATOR_SIZE;
            if (locator >= 0 && signature(bytes, locator) == ZIP64_LOCATOR_SIGNATURE) {
                long zip64End = u64(bytes, locator + 8);
                if (zip64End < 0 || zip64End > fileSize - ZIP64_END_SIZE || signature(bytes, zip64End) != ZIP64_END_SIGNATURE) {
                    throw file.error("zip archive's ZIP64 end record is missing or outside the file");
                }
                count = u64(bytes, zip64End + 32);
                directorySize = u64(bytes, zip64End + 40);
                directoryOffset = u64(bytes, zip64End + 48);
            }
            if (directoryOffset < 0 || directorySize < 0 || directoryOffset > fileSize || directorySize > fileSize - directoryOffset) {
                throw file.error("zip archive's central directory lies outside the file");
            }
            if (count < 0 || count > directorySize / CENTRAL_SIZE) {
                throw file.error("zip archive claims " + Long.toUnsignedString(count) + " entries, more than its central directory holds");
            }
            Map<String, Entry> entries = new HashMap<>();
            long position = directoryOffset;
            long directoryEnd = directoryOffset + directorySize;
            for (long i = 0; i < count; i++) {
                if (position > directoryEnd - CENTRAL_SIZE || signature(bytes, position) != CENTRAL_SIGNATURE) {
                    throw file.error("zip archive's central directory is damaged at offset " + position);
                }
                int nameLength = u16(bytes, position + 28);
                int extraLength = u16(bytes, position + 30);
                int commentLength = u16(bytes, position + 32);
                long next = position + CENTRAL_SIZE + nameLength + extraLength + commentLength;
                if (next > directoryEnd) {
                    throw file.error("zip archive's central directory is damaged at offset " + position);
                }
                Entry entry = entry(position, nameLength, extraLength);
                if (entries.putIfAbsent(entry.name(), entry) != null) {
                    throw file.error("zip archive has two entries named " + Text.quote(entry.name()));
                }
                position = next;
            }
            return entries;
        }

        /** The end record is last in the file, followed only by its comment, whose length it gives. */
        private long findEndRecord() {
            long lowest = Math.max(0, fileSize - END_SIZE - MAX_COMMENT);
            for (long p = fileSize - END_SIZE; p >= lowest; p--) {
                if (signature(bytes, p) == END_SIGNATURE && p + END_SIZE + u16(bytes, p + 20) == fileSize) {
                    return p;
                }
            }
            throw file.error("is not a complete zip archive (no end of central directory record)");
        }

        private Entry entry(long record, int nameLength, int extraLength) {
            int flags = u16(bytes, record + 8);
            int method = u16(bytes, record + 10);
            long compressedSize = u32(bytes, record + 20);
            long size = u32(bytes, record + 24);
            long localHeaderOffset = u32(bytes, record + 42);
            byte[] nameBytes = bytes.asSlice(record + CENTRAL_SIZE, nameLength).toArray(ValueLayout.JAVA_BYTE);
            String name = new String(nameBytes, StandardCharsets.UTF_8);
            // ZIP64: each field that overflowed 32 bits is 0xFFFFFFFF here and follows, in this order, in extra field 1.
            long extra = record + CENTRAL_SIZE + nameLength;
            long extraEnd = extra + extraLength;
            while (extra <= extraEnd - 4) {
                int id = u16(bytes, extra);
                int length = u16(bytes, extra + 2);
                long field = extra + 4;
                long fieldEnd = field + length;
                if (fieldEnd > extraEnd) {
                    break;
                }
                if (id == ZIP64_EXTRA_ID) {
                    if (size == U32_MAX && field + 8 <= fieldEnd) {
                        size = u64(bytes, field);
                        field += 8;
                    }
                    if (compressedSize == U32_MAX && field + 8 <= fieldEnd) {
                        compressedSize = u64(bytes, field);
                        field += 8;
                    }
                    if (localHeaderOffset == U32_MAX && field + 8 <= fieldEnd) {
                        localHeaderOffset = u64(bytes, field);
                    }
                }
                extra = fieldEnd;
            }
            if (size < 0 || compressedSize < 0 || localHeaderOffset < 0) {
                throw file.error("zip entry " + Text.quote(name) + " has a size or offset beyond 2^63");
            }
            return new Entry(name, flags, method, compressedSize, size, localHeaderOffset);
        }
    }
}
