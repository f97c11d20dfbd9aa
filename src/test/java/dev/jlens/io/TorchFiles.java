package dev.jlens.io;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Writes small torch checkpoints, zip and legacy, the way torch.save lays them out. */
final class TorchFiles {

    /** A state dict entry: a view (offset, size, stride in elements) of storage {@code key}. */
    record StoredTensor(String name, String storageType, String key, long storageNumel, long offset, long[] shape, long[] stride) {
        static StoredTensor contiguous(String name, String storageType, String key, long... shape) {
            long[] stride = new long[shape.length];
            long numel = 1;
            for (int d = shape.length - 1; d >= 0; d--) {
                stride[d] = numel;
                numel *= shape[d];
            }
            return new StoredTensor(name, storageType, key, numel, 0, shape, stride);
        }
    }

    static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);

    private TorchFiles() {
    }

    /** The state dict pickle: {name: _rebuild_tensor_v2(persistent storage, offset, size, stride, False, OrderedDict())}. */
    static byte[] stateDictPickle(List<StoredTensor> tensors, boolean legacyIds) {
        PickleWriter p = new PickleWriter().proto(2).emptyDict().mark();
        for (StoredTensor t : tensors) {
            p.str(t.name()).global("torch._utils", "_rebuild_tensor_v2").mark()
                    .mark().str("storage").global("torch", t.storageType()).str(t.key()).str("cpu").integer(t.storageNumel());
            if (legacyIds) {
                p.none();
            }
            p.tuple().persid()
                    .integer(t.offset()).tupleOf(t.shape()).tupleOf(t.stride()).bool(false)
                    .global("collections", "OrderedDict").emptyTuple().reduce()
                    .tuple().reduce();
        }
        return p.setitems().stop().toByteArray();
    }

    /** A zip checkpoint with STORED entries under {@code prefix/}; byteOrder null leaves out the byteorder record. */
    static void writeZip(Path file, String prefix, byte[] dataPkl, Map<String, byte[]> storages, String byteOrder) throws IOException {
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            stored(zip, prefix + "/data.pkl", dataPkl);
            if (byteOrder != null) {
                stored(zip, prefix + "/byteorder", byteOrder.getBytes(StandardCharsets.US_ASCII));
            }
            for (Map.Entry<String, byte[]> s : storages.entrySet()) {
                stored(zip, prefix + "/data/" + s.getKey(), s.getValue());
            }
            stored(zip, prefix + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        }
    }

    /**
     * A zip whose central directory uses ZIP64 for every size and offset, as writers do for archives
     * beyond 4 GB (torch checkpoints of the larger GPT-2 models), with the ZIP64 end records.
     */
    static void writeZip64(Path file, SequencedMap<String, byte[]> entries) throws IOException {
        ByteBuffer out = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        Map<String, Integer> localOffsets = new java.util.HashMap<>();
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
            localOffsets.put(e.getKey(), out.position());
            out.putInt(0x04034b50).putShort((short) 45).putShort((short) 0).putShort((short) 0).putInt(0)
                    .putInt(crc(e.getValue())).putInt(e.getValue().length).putInt(e.getValue().length)
                    .putShort((short) name.length).putShort((short) 0).put(name).put(e.getValue());
        }
        int directoryStart = out.position();
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
            out.putInt(0x02014b50).putShort((short) 45).putShort((short) 45).putShort((short) 0).putShort((short) 0).putInt(0)
                    .putInt(crc(e.getValue())).putInt(-1).putInt(-1)
                    .putShort((short) name.length).putShort((short) 28).putShort((short) 0)
                    .putShort((short) 0).putShort((short) 0).putInt(0).putInt(-1).put(name)
                    .putShort((short) 1).putShort((short) 24)
                    .putLong(e.getValue().length).putLong(e.getValue().length).putLong(localOffsets.get(e.getKey()));
        }
        int directoryEnd = out.position();
        out.putInt(0x06064b50).putLong(44).putShort((short) 45).putShort((short) 45).putInt(0).putInt(0)
                .putLong(entries.size()).putLong(entries.size()).putLong(directoryEnd - directoryStart).putLong(directoryStart);
        out.putInt(0x07064b50).putInt(0).putLong(directoryEnd).putInt(1);
        out.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) -1).putShort((short) -1)
                .putInt(-1).putInt(-1).putShort((short) 0);
        Files.write(file, java.util.Arrays.copyOf(out.array(), out.position()));
    }

    private static int crc(byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(data);
        return (int) crc.getValue();
    }

    static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(data.length);
        entry.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        entry.setCrc(crc.getValue());
        zip.putNextEntry(entry);
        zip.write(data);
        zip.closeEntry();
    }

    /** The legacy format: five pickles, then each storage as an int64 element count and raw bytes. */
    static void writeLegacy(Path file, byte[] stateDictPickle, SequencedMap<String, byte[]> storages, Map<String, Integer> elementSizes)
            throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(legacyPreamble());
            out.write(stateDictPickle);
            PickleWriter keys = new PickleWriter().proto(2).emptyList().mark();
            storages.keySet().forEach(keys::str);
            out.write(keys.appends().stop().toByteArray());
            for (Map.Entry<String, byte[]> s : storages.entrySet()) {
                long count = s.getValue().length / elementSizes.get(s.getKey());
                out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(count).array());
                out.write(s.getValue());
            }
        }
    }

    /** Magic number, protocol version 1001 and sys_info, each its own pickle. */
    static byte[] legacyPreamble() {
        byte[] magic = LEGACY_MAGIC.toByteArray();
        PickleWriter p = new PickleWriter().proto(2).op(0x8a).u8(magic.length);
        for (int i = magic.length - 1; i >= 0; i--) {
            p.u8(magic[i] & 0xFF);
        }
        p.stop();
        p.proto(2).integer(1001).stop();
        p.proto(2).emptyDict().mark()
                .str("protocol_version").integer(1001)
                .str("little_endian").bool(true)
                .str("type_sizes").emptyDict().mark().str("short").integer(2).str("int").integer(4).str("long").integer(4).setitems()
                .setitems().stop();
        return p.toByteArray();
    }

    static byte[] floats(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    static byte[] halves(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putShort(Float.floatToFloat16(v));
        }
        return b.array();
    }
}
