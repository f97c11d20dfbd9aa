package dev.jlens.io;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Element types of stored tensors. The constant names are the safetensors dtype names. */
public enum DType {
    F64(8), F32(4), F16(2), BF16(2), I64(8), I32(4), I16(2), I8(1), U8(1), BOOL(1);

    private static final Map<String, DType> BY_NAME =
            Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(DType::name, Function.identity()));

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** The dtype a safetensors header calls {@code name} ("F32", "BF16", ...), if jlens knows it. */
    public static Optional<DType> fromSafetensorsName(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }
}
