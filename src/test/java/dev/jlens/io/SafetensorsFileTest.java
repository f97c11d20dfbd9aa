package dev.jlens.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jlens.JlensException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {

    private static Checkpoint fixtureA;

    @TempDir
    Path dir;

    @BeforeAll
    static void openFixture() {
        fixtureA = Checkpoint.open(Fixtures.safetensorsA());
    }

    @AfterAll
    static void closeFixture() {
        fixtureA.close();
    }

    @Test
    void fixtureHasExactlyTheHeadersTensors() {
        // 4 blocks x 12 tensors, plus ln_f (2), wpe and wte: the header's 53 keys minus __metadata__.
        TreeSet<String> expected = new TreeSet<>(List.of("transformer.ln_f.bias", "transformer.ln_f.weight",
                "transformer.wpe.weight", "transformer.wte.weight"));
        for (int layer = 0; layer < 4; layer++) {
            for (String suffix : List.of("attn.c_attn.bias", "attn.c_attn.weight", "attn.c_proj.bias", "attn.c_proj.weight",
                    "ln_1.bias", "ln_1.weight", "ln_2.bias", "ln_2.weight",
                    "mlp.c_fc.bias", "mlp.c_fc.weight", "mlp.c_proj.bias", "mlp.c_proj.weight")) {
                expected.add("transformer.h." + layer + "." + suffix);
            }
        }
        assertThat(fixtureA).isInstanceOf(SafetensorsFile.class);
        assertThat(fixtureA.names()).hasSize(52).containsExactlyElementsOf(expected);
        assertThat(((SafetensorsFile) fixtureA).metadata()).isEqualTo(Map.of("format", "pt"));
        assertThat(fixtureA.file()).isEqualTo(Fixtures.safetensorsA());
    }

    @Test
    void fixtureShapes() {
        assertThat(fixtureA.info("transformer.wte.weight")).isEqualTo(new TensorInfo("transformer.wte.weight", DType.F32, new long[] {50257, 64}));
        assertThat(fixtureA.info("transformer.wpe.weight").shape()).containsExactly(1024, 64);
        assertThat(fixtureA.info("transformer.h.0.attn.c_attn.weight").shape()).containsExactly(64, 192);
        assertThat(fixtureA.info("transformer.h.3.mlp.c_fc.weight").shape()).containsExactly(64, 256);
        assertThat(fixtureA.info("transformer.h.3.mlp.c_proj.weight").shape()).containsExactly(256, 64);
        assertThat(fixtureA.info("transformer.ln_f.bias").shape()).containsExactly(64);
        assertThat(fixtureA.info("transformer.wte.weight").numel()).isEqualTo(50257L * 64);
    }

    @Test
    void fixtureValuesMatchAnIndependentReader() {
        // Expected values: python3 struct.unpack('<f', ...) at 8 + N + data_offsets[0] + 4 * flat_index,
        // with N and data_offsets read by json.loads from the file's own header.
        float[] cAttn = fixtureA.readFloat32("transformer.h.0.attn.c_attn.weight");
        assertThat(cAttn).hasSize(64 * 192);
        assertThat(cAttn[0]).isEqualTo(-0.19509784877300262f);
        assertThat(cAttn[1 * 192 + 2]).isEqualTo(-0.3215576708316803f);
        assertThat(cAttn[63 * 192 + 191]).isEqualTo(0.01708485744893551f);
        assertThat(fixtureA.readFloat32("transformer.wte.weight")[50256 * 64 + 63]).isEqualTo(0.18465709686279297f);
        assertThat(fixtureA.readFloat32("transformer.ln_f.bias")[0]).isEqualTo(0.0030594891868531704f);
        assertThat(fixtureA.readFloat32("transformer.wpe.weight")[1023 * 64]).isEqualTo(-0.17314742505550385f);
    }

    @Test
    void readsReturnFreshArrays() {
        float[] first = fixtureA.readFloat32("transformer.ln_f.bias");
        first[0] = 42f;
        assertThat(fixtureA.readFloat32("transformer.ln_f.bias")[0]).isEqualTo(0.0030594891868531704f);
    }

    @Test
    void severalThreadsReadTheSameMapping() throws Exception {
        float[] expected = fixtureA.readFloat32("transformer.wte.weight");
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<float[]>> reads = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                reads.add(pool.submit(() -> fixtureA.readFloat32("transformer.wte.weight")));
            }
            for (Future<float[]> read : reads) {
                assertThat(read.get()).isEqualTo(expected);
            }
        }
    }

    @Test
    void absentTensorIsNamedInTheError() {
        assertThatThrownBy(() -> fixtureA.info("transformer.nope"))
                .isExactlyInstanceOf(JlensException.class)
                .hasMessage("model.safetensors: has no tensor 'transformer.nope' (it has 52 tensors)");
        assertThatThrownBy(() -> fixtureA.readFloat32("lm_head.weight")).hasMessageStartingWith("model.safetensors: has no tensor 'lm_head.weight'");
    }

    @Test
    void convertsEveryDtypeToFloat32() throws IOException {
        ByteBuffer data = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        data.putDouble(0, -2.5);                                              // F64 [0, 8)
        data.putShort(8, Float.floatToFloat16(0.333f));                       // F16 [8, 10)
        data.putShort(10, (short) (Float.floatToRawIntBits(-1.5f) >>> 16));   // BF16 [10, 12)
        data.putLong(12, -7);                                                 // I64 [12, 20)
        data.putInt(20, 123456);                                              // I32 [20, 24)
        data.putShort(24, (short) -300);                                      // I16 [24, 26)
        data.put(26, (byte) -5);                                              // I8 [26, 27)
        data.put(27, (byte) 250);                                             // U8 [27, 28)
        data.put(28, (byte) 1).put(29, (byte) 0);                             // BOOL [28, 30)
        data.putFloat(30, 3.25f);                                             // F32 [30, 34), unaligned
        String header = """
                {"f64":{"dtype":"F64","shape":[],"data_offsets":[0,8]},
                 "f16":{"dtype":"F16","shape":[1],"data_offsets":[8,10]},
                 "bf16":{"dtype":"BF16","shape":[1],"data_offsets":[10,12]},
                 "i64":{"dtype":"I64","shape":[1],"data_offsets":[12,20]},
                 "i32":{"dtype":"I32","shape":[1],"data_offsets":[20,24]},
                 "i16":{"dtype":"I16","shape":[1],"data_offsets":[24,26]},
                 "i8":{"dtype":"I8","shape":[1],"data_offsets":[26,27]},
                 "u8":{"dtype":"U8","shape":[1],"data_offsets":[27,28]},
                 "bool":{"dtype":"BOOL","shape":[2],"data_offsets":[28,30]},
                 "f32":{"dtype":"F32","shape":[1,1],"data_offsets":[30,34]},
                 "empty":{"dtype":"F32","shape":[0,3],"data_offsets":[34,34]}}""";
        try (Checkpoint c = Checkpoint.open(SafetensorsFiles.write(dir.resolve("all.safetensors"), header, data.array()))) {
            assertThat(c.readFloat32("f64")).containsExactly(-2.5f);
            assertThat(c.info("f64").shape()).isEmpty();
            assertThat(c.readFloat32("f16")).containsExactly(Float.float16ToFloat(Float.floatToFloat16(0.333f)));
            assertThat(c.readFloat32("bf16")).containsExactly(-1.5f);
            assertThat(c.readFloat32("i64")).containsExactly(-7f);
            assertThat(c.readFloat32("i32")).containsExactly(123456f);
            assertThat(c.readFloat32("i16")).containsExactly(-300f);
            assertThat(c.readFloat32("i8")).containsExactly(-5f);
            assertThat(c.readFloat32("u8")).containsExactly(250f);
            assertThat(c.readFloat32("bool")).containsExactly(1f, 0f);
            assertThat(c.readFloat32("f32")).containsExactly(3.25f);
            assertThat(c.readFloat32("empty")).isEmpty();
            assertThat(c.info("bool").dtype()).isEqualTo(DType.BOOL);
        }
    }

    @Test
    void emptyTensorAtTheVeryEndOfTheFile() throws IOException {
        Path file = SafetensorsFiles.write(dir.resolve("e.safetensors"), "{\"e\":{\"dtype\":\"BF16\",\"shape\":[0],\"data_offsets\":[0,0]}}", new byte[0]);
        try (Checkpoint c = Checkpoint.open(file)) {
            assertThat(c.readFloat32("e")).isEmpty();
        }
    }

    @Test
    void headerLengthStartingWithByte0x80IsStillSafetensors() throws IOException {
        // 0x180 = 384: the first byte of the length is 0x80, like a pickle's PROTO opcode.
        String json = "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        String header = json + " ".repeat(384 - json.length());
        try (Checkpoint c = Checkpoint.open(SafetensorsFiles.write(dir.resolve("x.safetensors"), header, TorchFiles.floats(7f)))) {
            assertThat(c).isInstanceOf(SafetensorsFile.class);
            assertThat(c.readFloat32("x")).containsExactly(7f);
        }
    }

    @Test
    void tensorTooLargeForOneArrayGivesAClearError() throws IOException {
        long numel = 1L << 31;
        String header = "{\"big\":{\"dtype\":\"I8\",\"shape\":[" + numel + "],\"data_offsets\":[0," + numel + "]}}";
        Path file = SafetensorsFiles.write(dir.resolve("big.safetensors"), header, new byte[0]);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(raf.length() + numel); // sparse: costs no disk
        }
        try (Checkpoint c = Checkpoint.open(file)) {
            assertThat(c.info("big").numel()).isEqualTo(numel);
            assertThatThrownBy(() -> c.readFloat32("big"))
                    .isExactlyInstanceOf(JlensException.class)
                    .hasMessage("big.safetensors: tensor 'big' has 2147483648 elements, more than one Java float array can hold (2147483639)");
        }
    }

    @Test
    void closedFileCannotBeRead() throws IOException {
        Path file = SafetensorsFiles.write(dir.resolve("c.safetensors"),
                "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", TorchFiles.floats(1f));
        Checkpoint c = SafetensorsFile.open(file);
        c.close();
        c.close();
        assertThatThrownBy(() -> c.readFloat32("x")).isExactlyInstanceOf(JlensException.class).hasMessage("c.safetensors: is closed");
    }

    @Test
    void missingFileAndDirectoryAreReported() {
        assertThatThrownBy(() -> Checkpoint.open(dir.resolve("absent.safetensors")))
                .isExactlyInstanceOf(JlensException.class).hasMessage("absent.safetensors: does not exist");
        assertThatThrownBy(() -> Checkpoint.open(dir))
                .isExactlyInstanceOf(JlensException.class).hasMessageEndingWith(": is a directory, not a weights file");
    }
}
