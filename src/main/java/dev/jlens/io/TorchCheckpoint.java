package dev.jlens.io;

import dev.jlens.util.Text;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A PyTorch checkpoint ({@code pytorch_model.bin}) holding a state dict: either the zip format that
 * {@code torch.save} writes since torch 1.6, or the legacy sequence of pickles before it. The pickle
 * goes through {@link RestrictedUnpickler}, so nothing in the file is ever executed; tensor data stays
 * in the mapped file until {@link #readFloat32} copies it out.
 */
public final class TorchCheckpoint extends MappedCheckpoint<TorchCheckpoint.Entry> {

    /** A tensor: a strided view, in elements, of its storage's bytes. */
    record Entry(TensorInfo info, MemorySegment storage, long storageOffset, long[] stride) implements Stored {
    }

    /** The first pickle of a legacy checkpoint. */
    private static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    private static final long LEGACY_PROTOCOL_VERSION = 1001;
    private static final String DATA_PKL = "data.pkl";
    private static final int MAX_BYTEORDER_LENGTH = 16;
    /**
     * How many times its own size the tensors of a file may take, counted in their stored dtype: tensors that
     * share a storage (tied embeddings: wte and lm_head) see its bytes twice; views that repeat bytes beyond
     * that would turn a small file into a model of gigabytes.
     */
    private static final int MAX_VIEWS_PER_BYTE = 2;

    private TorchCheckpoint(MappedFile file, Map<String, TorchTensorRef> tensors,
                            Function<String, MemorySegment> storageBytes) {
        super(file);
        long budget = MAX_VIEWS_PER_BYTE * file.bytes().byteSize();
        long viewed = 0;
        for (Map.Entry<String, TorchTensorRef> tensor : tensors.entrySet()) {
            Entry entry = entry(tensor.getKey(), tensor.getValue(), storageBytes);
            // a tensor views at most its storage, which is in the file: the sum stays under three times the file
            viewed += entry.info().numel() * entry.info().dtype().byteSize();
            if (viewed > budget) {
                throw file.error("tensor " + Text.quote(tensor.getKey()) + " brings the bytes the tensors view to " + viewed
                        + ", more than " + MAX_VIEWS_PER_BYTE + " times the file's " + file.bytes().byteSize()
                        + " bytes; its tensors view the same stored bytes over and over");
            }
            byName.put(tensor.getKey(), entry);
        }
    }

    /** Opens {@code file} as a torch checkpoint, zip or legacy by its first bytes. */
    public static TorchCheckpoint open(Path file) {
        return MappedFile.open(file).parse(mapped -> CheckpointFormat.of(mapped.bytes()) == CheckpointFormat.TORCH_ZIP
                ? fromZip(mapped)
                : fromLegacyPickles(mapped));
    }

    /** The zip format: {@code <dir>/data.pkl} is the pickle, {@code <dir>/data/<key>} the raw storages. */
    static TorchCheckpoint fromZip(MappedFile file) {
        ZipDirectory zip = ZipDirectory.read(file);
        String prefix = archivePrefix(file, zip);
        checkByteOrder(file, zip, prefix + "byteorder");
        String pickle = prefix + DATA_PKL;
        return fromPickle(file, pickle, zip.data(pickle), key -> zip.data(prefix + "data/" + key));
    }

    /** A zip checkpoint's state dict pickle, with its storages' bytes by key. */
    static TorchCheckpoint fromPickle(MappedFile file, String pickleName, MemorySegment pickle,
                                      Function<String, MemorySegment> storageBytes) {
        Object root = new RestrictedUnpickler(file.displayName(), pickleName, pickle, 0, new StorageIds()).load();
        return new TorchCheckpoint(file, stateDict(file, root), storageBytes);
    }

    /**
     * The legacy format: pickles of the magic number, the protocol version, sys_info, the state dict and
     * the sorted storage keys; then for each key an int64 element count and the storage's raw bytes.
     */
    static TorchCheckpoint fromLegacyPickles(MappedFile file) {
        StorageIds storageIds = new StorageIds();
        RestrictedUnpickler pickles = new RestrictedUnpickler(file.displayName(), null, file.bytes(), 0, storageIds);
        if (!LEGACY_MAGIC.equals(pickles.load())) {
            throw file.error("is neither safetensors nor a torch checkpoint (its first pickle is not torch's magic number)");
        }
        Object version = pickles.load();
        if (!Long.valueOf(LEGACY_PROTOCOL_VERSION).equals(version)) {
            throw file.error("legacy torch checkpoint has protocol version "
                    + (version instanceof Long n ? n : "of type " + RestrictedUnpickler.typeName(version))
                    + "; jlens reads " + LEGACY_PROTOCOL_VERSION);
        }
        if (pickles.load() instanceof Map<?, ?> sysInfo && Boolean.FALSE.equals(sysInfo.get("little_endian"))) {
            throw file.error("was saved on a big-endian machine; jlens reads only little-endian checkpoints");
        }
        Object root = pickles.load();
        Map<String, MemorySegment> storages = legacyStorages(file, pickles.load(), pickles.position(), storageIds);
        return new TorchCheckpoint(file, stateDict(file, root), storages::get);
    }

    private static Map<String, MemorySegment> legacyStorages(MappedFile file, Object keyList, long start, StorageIds ids) {
        if (!(keyList instanceof List<?> keys)) {
            throw file.error("legacy torch checkpoint: the storage key list is of type " + RestrictedUnpickler.typeName(keyList));
        }
        MemorySegment bytes = file.bytes();
        Map<String, MemorySegment> storages = new HashMap<>();
        long position = start;
        for (Object key : keys) {
            if (!(key instanceof String name) || !ids.dtypeByKey.containsKey(name)) {
                throw file.error("legacy torch checkpoint lists a storage that no tensor uses");
            }
            DType dtype = ids.dtypeByKey.get(name);
            if (position > bytes.byteSize() - 8) {
                throw file.error("is truncated: storage " + Text.quote(name) + " is missing");
            }
            long count = bytes.get(Elements.I64, position);
            position += 8;
            long remaining = bytes.byteSize() - position;
            if (count < 0 || count > remaining / dtype.byteSize()) {
                throw file.error("is truncated: storage " + Text.quote(name) + " declares " + count + " elements of "
                        + dtype + " but " + remaining + " bytes remain");
            }
            long length = count * dtype.byteSize();
            storages.put(name, bytes.asSlice(position, length));
            position += length;
        }
        return storages;
    }

    /** The archive's top directory: torch names it after the file, e.g. {@code pytorch_model/}. */
    private static String archivePrefix(MappedFile file, ZipDirectory zip) {
        List<String> pickles = zip.names().stream()
                .filter(n -> n.endsWith("/" + DATA_PKL) && n.indexOf('/') == n.length() - DATA_PKL.length() - 1)
                .toList();
        if (pickles.size() != 1) {
            throw file.error(pickles.isEmpty()
                    ? "zip archive has no <dir>/data.pkl, so it is not a torch checkpoint"
                    : "zip archive has " + pickles.size() + " data.pkl files; a torch checkpoint has one");
        }
        String pickle = pickles.getFirst();
        return pickle.substring(0, pickle.length() - DATA_PKL.length());
    }

    /** Without a byteorder record torch assumes little-endian, as jlens does. */
    private static void checkByteOrder(MappedFile file, ZipDirectory zip, String name) {
        if (!zip.contains(name)) {
            return;
        }
        MemorySegment record = zip.data(name);
        if (record.byteSize() > MAX_BYTEORDER_LENGTH) {
            throw file.error("has a byteorder record of " + record.byteSize() + " bytes; torch writes 'little' or 'big'");
        }
        String order = new String(record.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        switch (order) {
            case "little" -> { }
            case "big" -> throw file.error("stores big-endian data (byteorder 'big'); jlens reads only little-endian checkpoints");
            default -> throw file.error("has an unknown byteorder " + Text.quote(order));
        }
    }

    /** The pickled object must be a dict from names to tensors: a state dict. */
    private static Map<String, TorchTensorRef> stateDict(MappedFile file, Object root) {
        if (!(root instanceof Map<?, ?> dict)) {
            throw file.error("holds a pickled " + RestrictedUnpickler.typeName(root) + " instead of a state dict of tensors");
        }
        Map<String, TorchTensorRef> tensors = new LinkedHashMap<>();
        for (Map.Entry<?, ?> item : dict.entrySet()) {
            if (!(item.getKey() instanceof String name)) {
                throw file.error("state dict has a key of type " + RestrictedUnpickler.typeName(item.getKey()) + ", not str");
            }
            if (!(item.getValue() instanceof TorchTensorRef tensor)) {
                throw file.error("state dict entry " + Text.quote(name) + " is of type "
                        + RestrictedUnpickler.typeName(item.getValue()) + ", not a tensor");
            }
            if (!(tensor.storage() instanceof TorchStorageRef)) {
                throw file.error("tensor " + Text.quote(name) + " is built on " + RestrictedUnpickler.typeName(tensor.storage())
                        + " instead of a stored storage");
            }
            tensors.put(name, tensor);
        }
        return tensors;
    }

    /** Checks that the view stays inside its storage and its storage inside the file's bytes. */
    private Entry entry(String name, TorchTensorRef tensor, Function<String, MemorySegment> storageBytes) {
        TorchStorageRef storage = (TorchStorageRef) tensor.storage();
        String where = "tensor " + Text.quote(name);
        DType dtype = storage.dtype();
        long elementSize = dtype.byteSize();
        MemorySegment bytes = storageBytes.apply(storage.key());
        if (bytes == null) {
            throw file.error(where + ": storage " + Text.quote(storage.key()) + " has no data in the file");
        }
        long[] shape = tensor.shape();
        long[] stride = tensor.stride();
        try {
            long storageEnd = Math.multiplyExact(Math.addExact(storage.elementOffset(), storage.numel()), elementSize);
            if (storageEnd > bytes.byteSize()) {
                throw file.error(where + ": storage " + Text.quote(storage.key()) + " should hold " + storageEnd
                        + " bytes but has " + bytes.byteSize());
            }
            long numel = 1;
            long last = tensor.storageOffset();
            for (int d = 0; d < shape.length; d++) {
                numel = Math.multiplyExact(numel, shape[d]);
                last = Math.addExact(last, Math.multiplyExact(Math.max(shape[d] - 1, 0), stride[d]));
            }
            if (numel > 0 && last >= storage.numel()) {
                throw file.error(where + ": size " + Arrays.toString(shape) + ", stride " + Arrays.toString(stride)
                        + " and offset " + tensor.storageOffset() + " reach element " + last + " of a storage of "
                        + storage.numel() + " elements");
            }
            // A view of more elements than its storage holds repeats some (stride 0): torch's expand(), never
            // a stored weight, and the way to make gigabytes of model out of a few bytes of file.
            if (numel > storage.numel()) {
                throw file.error(where + ": size " + Arrays.toString(shape) + " and stride " + Arrays.toString(stride)
                        + " make " + numel + " elements out of a storage of " + storage.numel()
                        + "; a view that repeats elements is not a stored tensor");
            }
        } catch (ArithmeticException e) {
            throw file.error(where + ": size " + Arrays.toString(shape) + " and stride " + Arrays.toString(stride)
                    + " overflow 64-bit indexing");
        }
        MemorySegment view = bytes.asSlice(storage.elementOffset() * elementSize, storage.numel() * elementSize);
        return new Entry(new TensorInfo(name, dtype, shape), view, tensor.storageOffset(), stride);
    }

    @Override
    float[] read(Entry entry, TensorInfo info, int count) {
        long[] shape = info.shape();
        DType dtype = info.dtype();
        return isContiguous(shape, entry.stride())
                ? Elements.contiguous(entry.storage(), entry.storageOffset() * dtype.byteSize(), dtype, count)
                : Elements.strided(entry.storage(), dtype, entry.storageOffset(), shape, entry.stride(), count);
    }

    /** Row-major contiguity; dimensions of size 1 may have any stride. */
    private static boolean isContiguous(long[] shape, long[] stride) {
        long expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] != 1 && stride[d] != expected) {
                return false;
            }
            expected *= shape[d];
        }
        return true;
    }

    /**
     * Resolves torch persistent ids {@code ('storage', storage_type, key, location, numel)}, plus legacy
     * files' sixth element {@code view_metadata}: None or {@code (view_key, offset, view_numel)}.
     */
    private static final class StorageIds implements RestrictedUnpickler.PersistentLoader {
        final Map<String, DType> dtypeByKey = new HashMap<>();

        @Override
        public Object load(Object id) {
            if (!(id instanceof RestrictedUnpickler.Tuple(List<Object> items)) || items.size() < 5 || items.size() > 6) {
                throw new BadPickle("persistent id is not a torch storage id ('storage', type, key, location, numel)");
            }
            if (!"storage".equals(items.get(0))) {
                throw new BadPickle("persistent id of kind " + describe(items.get(0)) + " is not supported (only 'storage')");
            }
            if (!(items.get(1) instanceof PickleGlobal type) || type.storageDType().isEmpty()) {
                throw new BadPickle("persistent id names " + RestrictedUnpickler.typeName(items.get(1)) + " where a storage type belongs");
            }
            if (!(items.get(2) instanceof String key)) {
                throw new BadPickle("storage key is of type " + RestrictedUnpickler.typeName(items.get(2)) + ", not str");
            }
            DType dtype = type.storageDType().get();
            DType previous = dtypeByKey.putIfAbsent(key, dtype);
            if (previous != null && previous != dtype) {
                throw new BadPickle("storage " + Text.quote(key) + " is used as both " + previous + " and " + dtype);
            }
            long numel = natural(items.get(4), "storage numel");
            Object view = items.size() == 6 ? items.get(5) : null;
            if (view == null) {
                return new TorchStorageRef(dtype, key, numel, 0);
            }
            if (!(view instanceof RestrictedUnpickler.Tuple(List<Object> viewItems)) || viewItems.size() != 3) {
                throw new BadPickle("storage view metadata is not (view_key, offset, numel)");
            }
            return new TorchStorageRef(dtype, key, natural(viewItems.get(2), "view numel"), natural(viewItems.get(1), "view offset"));
        }

        private static long natural(Object value, String what) {
            if (value instanceof Long n && n >= 0) {
                return n;
            }
            throw new BadPickle(what + " must be a non-negative int, got " + RestrictedUnpickler.typeName(value));
        }

        private static String describe(Object value) {
            return value instanceof String s ? Text.quote(s) : RestrictedUnpickler.typeName(value);
        }
    }
}
