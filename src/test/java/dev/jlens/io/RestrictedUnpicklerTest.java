package dev.jlens.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jlens.JlensException;
import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RestrictedUnpicklerTest {

    private static final String REFUSAL = "only torch tensor rebuild functions, storage types and OrderedDict are allowed";

    private static Object load(byte[] pickle) {
        return new RestrictedUnpickler("test.pkl", null, MemorySegment.ofArray(pickle), 0, id -> id).load();
    }

    private static Object load(PickleWriter pickle) {
        return load(pickle.toByteArray());
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertRejected(byte[] pickle) {
        return assertThatThrownBy(() -> load(pickle))
                .isExactlyInstanceOf(JlensException.class)
                .hasMessageStartingWith("test.pkl: ")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertRejected(PickleWriter pickle) {
        return assertRejected(pickle.toByteArray());
    }

    @Test
    void scalars() {
        assertThat(load(new PickleWriter().proto(2).integer(200).stop())).isEqualTo(200L);
        assertThat(load(new PickleWriter().integer(50257).stop())).isEqualTo(50257L);
        assertThat(load(new PickleWriter().integer(-5).stop())).isEqualTo(-5L);
        assertThat(load(new PickleWriter().integer(1L << 40).stop())).isEqualTo(1L << 40);
        assertThat(load(new PickleWriter().op(0x8a).u8(2).u8(0x00).u8(0xff).stop())).isEqualTo(-256L);
        assertThat(load(new PickleWriter().op(0x8a).u8(0).stop())).isEqualTo(0L);
        assertThat(load(new PickleWriter().op(0x8b).u32(9).raw(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 1}).stop()))
                .isEqualTo(BigInteger.ONE.shiftLeft(64));
        assertThat(load(new PickleWriter().binfloat(-1e-3).stop())).isEqualTo(-1e-3);
        assertThat(load(new PickleWriter().str("héllo").stop())).isEqualTo("héllo");
        assertThat(load(new PickleWriter().op(0x8c).u8(2).raw(new byte[] {'h', 'i'}).stop())).isEqualTo("hi");
        assertThat(load(new PickleWriter().op('U').u8(2).raw(new byte[] {'o', 'k'}).stop())).isEqualTo("ok");
        assertThat((byte[]) load(new PickleWriter().bytes(new byte[] {1, 2}).stop())).containsExactly(1, 2);
        assertThat(load(new PickleWriter().none().stop())).isNull();
        assertThat(load(new PickleWriter().bool(true).stop())).isEqualTo(true);
    }

    @Test
    void containersAndMemo() {
        Object value = load(new PickleWriter().proto(2).emptyDict().binput(0)
                .str("a").emptyList().binput(1).mark().integer(1).integer(2).appends().setitem()
                .str("b").binget(1).setitem()
                .str("c").integer(7).integer(8).op(0x86).setitem()
                .stop());
        assertThat(value).isInstanceOf(Map.class);
        @SuppressWarnings("unchecked")
        Map<Object, Object> dict = (Map<Object, Object>) value;
        assertThat(dict.keySet()).containsExactly("a", "b", "c");
        assertThat(dict.get("a")).isEqualTo(List.of(1L, 2L)).isSameAs(dict.get("b"));
        assertThat(((RestrictedUnpickler.Tuple) dict.get("c")).items()).containsExactly(7L, 8L);
    }

    @Test
    void protocol4FramesStackGlobalAndMemoize() {
        Object value = load(new PickleWriter().proto(4).op(0x95).u64(20)
                .op(0x8c).u8(11).raw("collections".getBytes()).op(0x94)
                .op(0x8c).u8(11).raw("OrderedDict".getBytes()).op(0x94)
                .stackGlobal().op(0x94).emptyTuple().reduce().op(0x94)
                .str("k").binget(0).setitem().stop());
        assertThat(value).isEqualTo(Map.of("k", "collections"));
    }

    @Test
    void codecsEncodeIsAPureFunction() {
        Object value = load(new PickleWriter().proto(2).global("_codecs", "encode").str("\u00ff\u0001").str("latin1").op(0x86).reduce().stop());
        assertThat((byte[]) value).containsExactly((byte) 0xff, (byte) 1);
    }

    @Test
    void orderedDictStateIsAcceptedAndIgnored() {
        // torch's state_dict() is an OrderedDict whose _metadata attribute arrives through BUILD.
        Object value = load(new PickleWriter().proto(2).global("collections", "OrderedDict").emptyTuple().reduce()
                .str("x").integer(1).setitem()
                .emptyDict().str("_metadata").emptyDict().setitem().build().stop());
        assertThat(value).isEqualTo(Map.of("x", 1L));
    }

    @Test
    void deeplyNestedAndCyclicValuesNeedNoRecursion() {
        int depth = 200_000;
        PickleWriter nested = new PickleWriter().proto(2);
        for (int i = 0; i < depth; i++) {
            nested.emptyList();
        }
        for (int i = 1; i < depth; i++) {
            nested.append();
        }
        assertThat(load(nested.stop())).isInstanceOf(List.class);
        Object cyclic = load(new PickleWriter().emptyList().binput(0).binget(0).append().stop());
        assertThat(((List<?>) cyclic).getFirst()).isSameAs(cyclic);
    }

    @ParameterizedTest
    @CsvSource({"os, system", "builtins, eval", "posix, system", "__builtin__, exec", "subprocess, Popen",
            "torch.storage, _load_from_bytes", "builtins, getattr", "torch, load", "collections, defaultdict"})
    void dangerousGlobalsAreRefusedBeforeAnyCall(String module, String name) {
        String expected = "test.pkl: refuses the pickle global '" + module + "." + name + "' (" + REFUSAL + "); nothing from the file was executed";
        assertRejected(new PickleWriter().proto(2).global(module, name).str("echo pwned").op(0x85).reduce().stop()).hasMessage(expected);
        // Refused at the GLOBAL itself: even with no REDUCE (and no STOP) after it.
        assertRejected(new PickleWriter().proto(2).global(module, name)).hasMessage(expected);
        assertRejected(new PickleWriter().proto(4).str(module).str(name).stackGlobal().emptyTuple().reduce().stop()).hasMessage(expected);
    }

    @Test
    void onlyWhitelistedCallablesAreApplied() {
        assertRejected(new PickleWriter().str("os.system").emptyTuple().reduce().stop())
                .hasMessage("test.pkl: REDUCE on str, which is not callable at byte 15");
        assertRejected(new PickleWriter().global("torch", "FloatStorage").emptyTuple().reduce().stop())
                .hasMessageStartingWith("test.pkl: the storage type torch.FloatStorage cannot be called");
        assertRejected(new PickleWriter().global("torch._utils", "_rebuild_tensor_v2").emptyTuple().newobj().stop())
                .hasMessageStartingWith("test.pkl: torch._utils._rebuild_tensor_v2 cannot be instantiated with NEWOBJ");
        assertRejected(new PickleWriter().emptyList().emptyDict().build().stop())
                .hasMessageStartingWith("test.pkl: BUILD on list is not supported");
        assertRejected(new PickleWriter().global("torch._utils", "_rebuild_tensor_v2").tupleOf(1, 2).reduce().stop())
                .hasMessageStartingWith("test.pkl: torch._utils._rebuild_tensor_v2 takes 6 or 7 arguments, got 2");
        assertRejected(new PickleWriter().global("_codecs", "encode").str("x").str("rot13").op(0x86).reduce().stop())
                .hasMessageStartingWith("test.pkl: _codecs.encode is supported only as encode(str, 'latin1')");
    }

    @Test
    void truncatedStreamsAreRejected() {
        byte[] whole = new PickleWriter().proto(2).emptyDict().str("key").integer(70000).setitem().stop().toByteArray();
        for (int length = 0; length < whole.length; length++) {
            assertRejected(Arrays.copyOf(whole, length)).satisfies(e -> assertThat(e.getMessage())
                    .containsAnyOf("pickle ends without a STOP opcode", "pickle is truncated", "stack underflow"));
        }
        assertThat(load(whole)).isEqualTo(Map.of("key", 70000L));
    }

    @Test
    void hugeDeclaredLengthsAreRejectedWithoutAllocating() {
        assertRejected(new PickleWriter().op('X').u32(-1).stop())
                .hasMessage("test.pkl: declared length 4294967295 is negative or above the limit of 104857600 bytes at byte 0");
        assertRejected(new PickleWriter().op('B').u32(1_000_000).stop())
                .hasMessage("test.pkl: pickle is truncated: needs 1000000 more bytes, 1 remain at byte 0");
        assertRejected(new PickleWriter().op(0x8e).u64(Long.MAX_VALUE).stop())
                .hasMessage("test.pkl: declared length 9223372036854775807 is negative or above the limit of 104857600 bytes at byte 0");
        assertRejected(new PickleWriter().op(0x8d).u64(-1).stop())
                .hasMessage("test.pkl: declared length -1 is negative or above the limit of 104857600 bytes at byte 0");
        assertRejected(new PickleWriter().op(0x8b).u32(Integer.MAX_VALUE).stop())
                .hasMessage("test.pkl: declared length 2147483647 is out of range (0 to 256) at byte 0");
        assertRejected(new PickleWriter().op('T').u32(-5).stop())
                .hasMessage("test.pkl: declared length -5 is negative or above the limit of 104857600 bytes at byte 0");
        assertRejected(new PickleWriter().op('c').raw("os".repeat(200).getBytes()).stop())
                .hasMessageStartingWith("test.pkl: GLOBAL name is not terminated by a newline within 256 bytes");
    }

    @Test
    void structuralErrors() {
        assertRejected(new PickleWriter().proto(2).op(0xff)).hasMessage("test.pkl: unsupported pickle opcode 0xff at byte 2");
        assertRejected(new PickleWriter().op('i')).hasMessage("test.pkl: unsupported pickle opcode 0x69 ('i') at byte 0");
        assertRejected(new PickleWriter().proto(6)).hasMessage("test.pkl: pickle protocol 6 is newer than 5 at byte 0");
        assertRejected(new PickleWriter().binget(3).stop()).hasMessage("test.pkl: memo entry 3 is read before it is written at byte 0");
        assertRejected(new PickleWriter().stop()).hasMessage("test.pkl: stack underflow at byte 0");
        assertRejected(new PickleWriter().mark().stop()).hasMessage("test.pkl: stack underflow at byte 1");
        assertRejected(new PickleWriter().tuple().stop()).hasMessage("test.pkl: no MARK to pop to at byte 0");
        assertRejected(new PickleWriter().integer(1).append().stop()).hasMessageStartingWith("test.pkl: stack underflow");
        assertRejected(new PickleWriter().integer(1).integer(2).append().stop()).hasMessage("test.pkl: APPEND target is not a list but int at byte 4");
        assertRejected(new PickleWriter().emptyDict().emptyList().integer(1).setitem().stop())
                .hasMessage("test.pkl: dict key of type list is not supported at byte 4");
        assertRejected(new PickleWriter().emptyDict().mark().integer(1).setitems().stop())
                .hasMessage("test.pkl: SETITEMS with an odd number of items at byte 4");
        assertRejected(new PickleWriter().op('X').u32(1).u8(0xff).stop()).hasMessage("test.pkl: string is not valid UTF-8 at byte 0");
    }

    @Test
    void markDepthIsBounded() {
        PickleWriter deep = new PickleWriter();
        for (int i = 0; i < 1001; i++) {
            deep.mark();
        }
        assertRejected(deep.stop()).hasMessage("test.pkl: more than 1000 nested MARKs at byte 1000");
    }

    @Test
    void valueCountIsBounded() {
        // NONE, POP pairs keep the stack empty; the budget still counts every value created.
        PickleWriter many = new PickleWriter();
        for (int i = 0; i <= RestrictedUnpickler.MAX_VALUES; i++) {
            many.none().op('0');
        }
        assertRejected(many.none().stop()).hasMessage("test.pkl: pickle creates more than 4194304 values at byte 8388608");
    }

    @Test
    void persistentIdsNeedALoader() {
        byte[] pickle = new PickleWriter().str("id").persid().stop().toByteArray();
        assertThat(load(pickle)).isEqualTo("id");
        assertThatThrownBy(() -> new RestrictedUnpickler("test.pkl", "archive/data.pkl", MemorySegment.ofArray(pickle), 0, null).load())
                .isExactlyInstanceOf(JlensException.class)
                .hasMessage("test.pkl: persistent id where none is expected at byte 7 of archive/data.pkl");
    }

    @Test
    void consecutivePicklesReadOneAfterAnother() {
        byte[] two = new PickleWriter().proto(2).integer(1).stop().proto(2).str("two").stop().toByteArray();
        RestrictedUnpickler unpickler = new RestrictedUnpickler("test.pkl", null, MemorySegment.ofArray(two), 0, null);
        assertThat(unpickler.load()).isEqualTo(1L);
        assertThat(unpickler.position()).isEqualTo(5);
        assertThat(unpickler.load()).isEqualTo("two");
        assertThat(unpickler.position()).isEqualTo(two.length);
    }
}
