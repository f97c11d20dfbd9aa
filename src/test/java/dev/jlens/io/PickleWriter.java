package dev.jlens.io;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Emits pickle opcodes by hand, as CPython's pickler would for protocol 2, to build test pickles. */
final class PickleWriter {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    PickleWriter proto(int version) {
        return op(0x80).u8(version);
    }

    PickleWriter global(String module, String name) {
        return op('c').raw((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
    }

    PickleWriter stackGlobal() {
        return op(0x93);
    }

    PickleWriter mark() {
        return op('(');
    }

    PickleWriter tuple() {
        return op('t');
    }

    PickleWriter emptyTuple() {
        return op(')');
    }

    PickleWriter tupleOf(long... values) {
        if (values.length == 0) {
            return emptyTuple();
        }
        mark();
        for (long v : values) {
            integer(v);
        }
        return tuple();
    }

    PickleWriter emptyDict() {
        return op('}');
    }

    PickleWriter emptyList() {
        return op(']');
    }

    PickleWriter setitem() {
        return op('s');
    }

    PickleWriter setitems() {
        return op('u');
    }

    PickleWriter append() {
        return op('a');
    }

    PickleWriter appends() {
        return op('e');
    }

    PickleWriter str(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        return op('X').u32(utf8.length).raw(utf8);
    }

    PickleWriter bytes(byte[] b) {
        return op('B').u32(b.length).raw(b);
    }

    /** The smallest int opcode, as CPython chooses it. */
    PickleWriter integer(long v) {
        if (v >= 0 && v < 256) {
            return op('K').u8((int) v);
        }
        if (v >= 0 && v < 65536) {
            return op('M').u8((int) v & 0xFF).u8((int) (v >>> 8));
        }
        if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            return op('J').u32((int) v);
        }
        op(0x8a).u8(8);
        for (int i = 0; i < 8; i++) {
            u8((int) (v >>> (8 * i)) & 0xFF);
        }
        return this;
    }

    PickleWriter binfloat(double d) {
        long bits = Double.doubleToLongBits(d);
        op('G');
        for (int i = 7; i >= 0; i--) {
            u8((int) (bits >>> (8 * i)) & 0xFF);
        }
        return this;
    }

    PickleWriter none() {
        return op('N');
    }

    PickleWriter bool(boolean b) {
        return op(b ? 0x88 : 0x89);
    }

    PickleWriter reduce() {
        return op('R');
    }

    PickleWriter build() {
        return op('b');
    }

    PickleWriter newobj() {
        return op(0x81);
    }

    PickleWriter persid() {
        return op('Q');
    }

    PickleWriter binput(int index) {
        return op('q').u8(index);
    }

    PickleWriter binget(int index) {
        return op('h').u8(index);
    }

    PickleWriter stop() {
        return op('.');
    }

    PickleWriter op(int opcode) {
        return u8(opcode);
    }

    PickleWriter u8(int b) {
        out.write(b);
        return this;
    }

    PickleWriter u32(int v) {
        for (int i = 0; i < 4; i++) {
            out.write(v >>> (8 * i));
        }
        return this;
    }

    PickleWriter u64(long v) {
        for (int i = 0; i < 8; i++) {
            out.write((int) (v >>> (8 * i)));
        }
        return this;
    }

    PickleWriter raw(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }
}
