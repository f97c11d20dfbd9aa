package dev.jlens.io;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Converts stored little-endian elements of any {@link DType} to float32. */
final class Elements {

    /** Java arrays cannot quite reach Integer.MAX_VALUE elements on every VM. */
    static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

    // Tensor data in these formats is not guaranteed to be aligned, hence the unaligned layouts.
    static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Elements() {
    }

    /** {@code count} consecutive elements starting {@code byteOffset} bytes into {@code data}. */
    static float[] contiguous(MemorySegment data, long byteOffset, DType dtype, int count) {
        float[] out = new float[count];
        if (dtype == DType.F32) {
            MemorySegment.copy(data, F32, byteOffset, out, 0, count);
            return out;
        }
        int size = dtype.byteSize();
        for (int i = 0; i < count; i++) {
            out[i] = element(data, byteOffset + (long) i * size, dtype);
        }
        return out;
    }

    /**
     * The elements of a strided view, in row-major order of {@code shape}: element {@code (i0, i1, ...)}
     * sits at element index {@code offset + i0*stride[0] + i1*stride[1] + ...} of {@code data}. The
     * caller has checked that every such index lies inside {@code data}.
     */
    static float[] strided(MemorySegment data, DType dtype, long offset, long[] shape, long[] stride, int count) {
        float[] out = new float[count];
        int rank = shape.length;
        long size = dtype.byteSize();
        long[] index = new long[rank];
        long position = offset;
        for (int i = 0; i < count; i++) {
            out[i] = element(data, position * size, dtype);
            // Odometer step: bump the last dimension, carrying into earlier ones when one wraps around.
            for (int d = rank - 1; d >= 0; d--) {
                position += stride[d];
                if (++index[d] < shape[d]) {
                    break;
                }
                position -= shape[d] * stride[d];
                index[d] = 0;
            }
        }
        return out;
    }

    static float element(MemorySegment data, long byteOffset, DType dtype) {
        return switch (dtype) {
            case F64 -> (float) data.get(F64, byteOffset);
            case F32 -> data.get(F32, byteOffset);
            case F16 -> Float.float16ToFloat(data.get(I16, byteOffset));
            // bfloat16 is the top half of a float32.
            case BF16 -> Float.intBitsToFloat((data.get(I16, byteOffset) & 0xFFFF) << 16);
            case I64 -> (float) data.get(I64, byteOffset);
            case I32 -> (float) data.get(I32, byteOffset);
            case I16 -> data.get(I16, byteOffset);
            case I8 -> data.get(ValueLayout.JAVA_BYTE, byteOffset);
            case U8 -> data.get(ValueLayout.JAVA_BYTE, byteOffset) & 0xFF;
            case BOOL -> data.get(ValueLayout.JAVA_BYTE, byteOffset) != 0 ? 1f : 0f;
        };
    }
}
