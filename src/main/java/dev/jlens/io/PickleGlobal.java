package dev.jlens.io;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;

/**
 * The only pickle globals jlens accepts: what {@code torch.save} needs for a state dict. Each is a
 * pure Java re-implementation; nothing named by a file is ever looked up, loaded or run.
 */
enum PickleGlobal {
    ORDERED_DICT("collections", "OrderedDict"),
    REBUILD_TENSOR("torch._utils", "_rebuild_tensor"),
    REBUILD_TENSOR_V2("torch._utils", "_rebuild_tensor_v2"),
    REBUILD_PARAMETER("torch._utils", "_rebuild_parameter"),
    REBUILD_PARAMETER_WITH_STATE("torch._utils", "_rebuild_parameter_with_state"),
    /** Protocol 2 pickles bytes as {@code _codecs.encode(str, 'latin1')}. */
    CODECS_ENCODE("_codecs", "encode"),
    DOUBLE_STORAGE("torch", "DoubleStorage", DType.F64),
    FLOAT_STORAGE("torch", "FloatStorage", DType.F32),
    HALF_STORAGE("torch", "HalfStorage", DType.F16),
    BFLOAT16_STORAGE("torch", "BFloat16Storage", DType.BF16),
    LONG_STORAGE("torch", "LongStorage", DType.I64),
    INT_STORAGE("torch", "IntStorage", DType.I32),
    SHORT_STORAGE("torch", "ShortStorage", DType.I16),
    CHAR_STORAGE("torch", "CharStorage", DType.I8),
    BYTE_STORAGE("torch", "ByteStorage", DType.U8),
    BOOL_STORAGE("torch", "BoolStorage", DType.BOOL);

    static final String REFUSAL_REASON =
            "only torch tensor rebuild functions, storage types and OrderedDict are allowed";
    /** Far above any real tensor's rank; keeps hostile shapes small. */
    private static final int MAX_RANK = 64;

    private final String module;
    private final String name;
    private final DType storageDType;

    PickleGlobal(String module, String name) {
        this(module, name, null);
    }

    PickleGlobal(String module, String name, DType storageDType) {
        this.module = module;
        this.name = name;
        this.storageDType = storageDType;
    }

    /** The whitelisted global {@code module.name}, if it is one. */
    static Optional<PickleGlobal> lookup(String module, String name) {
        for (PickleGlobal g : values()) {
            // Old torch versions saved storages of CUDA tensors as torch.cuda.*Storage.
            boolean moduleMatches = g.module.equals(module) || g.storageDType != null && module.equals("torch.cuda");
            if (moduleMatches && g.name.equals(name)) {
                return Optional.of(g);
            }
        }
        return Optional.empty();
    }

    String qualifiedName() {
        return module + "." + name;
    }

    /** The element type if this is a storage type, else empty. */
    Optional<DType> storageDType() {
        return Optional.ofNullable(storageDType);
    }

    /** REDUCE: what calling this global with {@code args} returns in Python, for the supported forms. */
    Object call(List<Object> args) {
        return switch (this) {
            case ORDERED_DICT -> {
                arity(args, 0, 0);
                yield new LinkedHashMap<>();
            }
            case REBUILD_TENSOR -> {
                arity(args, 4, 4);
                yield tensor(args);
            }
            case REBUILD_TENSOR_V2 -> {
                // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]); the rest is autograd state.
                arity(args, 6, 7);
                yield tensor(args);
            }
            case REBUILD_PARAMETER, REBUILD_PARAMETER_WITH_STATE -> {
                // (data, requires_grad, backward_hooks[, state]): a Parameter is just its tensor here.
                arity(args, this == REBUILD_PARAMETER ? 3 : 4, this == REBUILD_PARAMETER ? 3 : 4);
                if (!(args.getFirst() instanceof TorchTensorRef tensor)) {
                    throw new BadPickle(qualifiedName() + " expects a tensor, got " + RestrictedUnpickler.typeName(args.getFirst()));
                }
                yield tensor;
            }
            case CODECS_ENCODE -> encode(args);
            default -> throw new BadPickle("the storage type " + qualifiedName() + " cannot be called");
        };
    }

    /** NEWOBJ: {@code cls.__new__(cls, *args)}; only OrderedDict is a class jlens creates. */
    Object newInstance() {
        if (this != ORDERED_DICT) {
            throw new BadPickle(qualifiedName() + " cannot be instantiated with NEWOBJ");
        }
        return new LinkedHashMap<>();
    }

    private void arity(List<Object> args, int min, int max) {
        if (args.size() < min || args.size() > max) {
            String expected = min == max ? String.valueOf(min) : min + " or " + max;
            throw new BadPickle(qualifiedName() + " takes " + expected + " arguments, got " + args.size());
        }
    }

    private TorchTensorRef tensor(List<Object> args) {
        Object storage = args.get(0);
        long offset = natural(args.get(1), "storage offset");
        long[] shape = naturals(args.get(2), "size");
        long[] stride = naturals(args.get(3), "stride");
        if (shape.length != stride.length) {
            throw new BadPickle(qualifiedName() + ": size has " + shape.length + " dimensions but stride has " + stride.length);
        }
        return new TorchTensorRef(storage, offset, shape, stride);
    }

    private long natural(Object value, String what) {
        if (value instanceof Long n && n >= 0) {
            return n;
        }
        throw new BadPickle(qualifiedName() + ": " + what + " must be a non-negative int, got " + RestrictedUnpickler.typeName(value));
    }

    private long[] naturals(Object value, String what) {
        if (!(value instanceof RestrictedUnpickler.Tuple(List<Object> items))) {
            throw new BadPickle(qualifiedName() + ": " + what + " must be a tuple, got " + RestrictedUnpickler.typeName(value));
        }
        if (items.size() > MAX_RANK) {
            throw new BadPickle(qualifiedName() + ": " + what + " has " + items.size() + " dimensions (at most " + MAX_RANK + ")");
        }
        long[] out = new long[items.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = natural(items.get(i), what + " entry");
        }
        return out;
    }

    /** Only the form protocol 2 uses for bytes: {@code _codecs.encode(str, 'latin1')}, code points below 256. */
    private byte[] encode(List<Object> args) {
        arity(args, 2, 2);
        if (!(args.get(0) instanceof String text) || !"latin1".equals(args.get(1))) {
            throw new BadPickle("_codecs.encode is supported only as encode(str, 'latin1')");
        }
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) > 0xFF) {
                throw new BadPickle("_codecs.encode: character " + (int) text.charAt(i) + " is not latin1");
            }
        }
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }
}
