package dev.jlens.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jlens.JlensException;
import dev.jlens.io.TorchFiles.StoredTensor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TorchCheckpointTest {

    private static Checkpoint fixtureB;

    @TempDir
    Path dir;

    @BeforeAll
    static void openFixture() {
        fixtureB = Checkpoint.open(Fixtures.torchB());
    }

    @AfterAll
    static void closeFixture() {
        fixtureB.close();
    }

    @Test
    void fixtureOpensWithEveryStateDictEntry() {
        assertThat(fixtureB).isInstanceOf(TorchCheckpoint.class);
        // wte, wpe, ln_f (2), lm_head, 3 layers x (12 parameters + attn.bias + attn.masked_bias).
        assertThat(fixtureB.names()).hasSize(47)
                .contains("wte.weight", "wpe.weight", "lm_head.weight", "ln_f.weight", "ln_f.bias",
                        "h.0.attn.c_attn.weight", "h.2.mlp.c_proj.bias", "h.0.attn.bias", "h.2.attn.masked_bias");
    }

    @Test
    void fixtureShapes() {
        assertThat(fixtureB.info("wte.weight")).isEqualTo(new TensorInfo("wte.weight", DType.F32, new long[] {50257, 32}));
        assertThat(fixtureB.info("wpe.weight").shape()).containsExactly(128, 32);
        assertThat(fixtureB.info("h.0.attn.c_attn.weight").shape()).containsExactly(32, 96);
        assertThat(fixtureB.info("h.0.attn.c_attn.bias").shape()).containsExactly(96);
        assertThat(fixtureB.info("h.0.attn.c_proj.weight").shape()).containsExactly(32, 32);
        assertThat(fixtureB.info("h.0.mlp.c_fc.weight").shape()).containsExactly(32, 128);
        assertThat(fixtureB.info("h.0.mlp.c_proj.weight").shape()).containsExactly(128, 32);
        assertThat(fixtureB.info("h.0.attn.bias").shape()).containsExactly(1, 1, 128, 128);
        assertThat(fixtureB.info("h.0.attn.masked_bias").shape()).isEmpty();
    }

    @Test
    void fixtureValuesMatchTheRawStorages() {
        // Expected values: python3 zipfile.read('pytorch_model/data/<key>') + struct.unpack('<f') at 4 * flat index;
        // keys from pickletools.dis of data.pkl: wte.weight -> '0', c_attn.weight -> '4', c_attn.bias -> '5', attn.bias -> '40'.
        float[] wte = fixtureB.readFloat32("wte.weight");
        assertThat(wte).hasSize(50257 * 32);
        assertThat(wte[0]).isEqualTo(0.16227644681930542f);
        assertThat(wte[1]).isEqualTo(0.3541323244571686f);
        assertThat(wte[31]).isEqualTo(-0.1558508574962616f);
        assertThat(wte[32]).isEqualTo(-0.215298131108284f);
        assertThat(wte[50257 * 32 - 1]).isEqualTo(0.20521187782287598f);
        assertThat(fixtureB.readFloat32("h.0.attn.c_attn.weight")[3 * 96 + 5]).isEqualTo(0.04033604636788368f);
        assertThat(fixtureB.readFloat32("h.0.attn.c_attn.bias")[95]).isEqualTo(-0.1155322715640068f);
        float[] mask = fixtureB.readFloat32("h.0.attn.bias");
        assertThat(new float[] {mask[0], mask[1], mask[128], mask[129], mask[130]}).containsExactly(1f, 0f, 1f, 1f, 0f);
        assertThat(fixtureB.readFloat32("h.0.attn.masked_bias")).containsExactly(-10000f);
    }

    @Test
    void tiedLmHeadSharesTheEmbeddingStorage() {
        assertThat(fixtureB.info("lm_head.weight").shape()).containsExactly(50257, 32);
        assertThat(fixtureB.readFloat32("lm_head.weight")).isEqualTo(fixtureB.readFloat32("wte.weight"));
    }

    @Test
    void stridedViewsOffsetsAndSharedStorages() throws IOException {
        // One storage of 6 floats [0..5] seen as: the 2x3 matrix, its transpose, its row 1 and a strided column.
        List<StoredTensor> tensors = List.of(
                new StoredTensor("matrix", "FloatStorage", "0", 6, 0, new long[] {2, 3}, new long[] {3, 1}),
                new StoredTensor("transposed", "FloatStorage", "0", 6, 0, new long[] {3, 2}, new long[] {1, 3}),
                new StoredTensor("row1", "FloatStorage", "0", 6, 3, new long[] {3}, new long[] {1}),
                new StoredTensor("column2", "FloatStorage", "0", 6, 2, new long[] {2, 1}, new long[] {3, 1}),
                new StoredTensor("broadcast", "FloatStorage", "0", 6, 1, new long[] {2, 2}, new long[] {0, 1}),
                new StoredTensor("halves", "HalfStorage", "1", 3, 0, new long[] {3}, new long[] {1}),
                new StoredTensor("scalar", "FloatStorage", "0", 6, 5, new long[] {}, new long[] {}));
        Path file = dir.resolve("pytorch_model.bin");
        TorchFiles.writeZip(file, "archive", TorchFiles.stateDictPickle(tensors, false),
                Map.of("0", TorchFiles.floats(0, 1, 2, 3, 4, 5), "1", TorchFiles.halves(1.5f, -0.25f, 65504f)), "little");
        try (Checkpoint c = Checkpoint.open(file)) {
            assertThat(c.readFloat32("matrix")).containsExactly(0, 1, 2, 3, 4, 5);
            assertThat(c.readFloat32("transposed")).containsExactly(0, 3, 1, 4, 2, 5);
            assertThat(c.readFloat32("row1")).containsExactly(3, 4, 5);
            assertThat(c.readFloat32("column2")).containsExactly(2, 5);
            assertThat(c.readFloat32("broadcast")).containsExactly(1, 2, 1, 2);
            assertThat(c.readFloat32("halves")).containsExactly(1.5f, -0.25f, 65504f);
            assertThat(c.info("halves").dtype()).isEqualTo(DType.F16);
            assertThat(c.readFloat32("scalar")).containsExactly(5);
        }
    }

    @Test
    void otherStorageTypes() throws IOException {
        ByteBuffer longs = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-3).putLong(1L << 40);
        ByteBuffer bf16 = ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) (Float.floatToRawIntBits(2.5f) >>> 16));
        List<StoredTensor> tensors = List.of(
                StoredTensor.contiguous("longs", "LongStorage", "0", 2),
                StoredTensor.contiguous("bf16", "BFloat16Storage", "1", 1),
                StoredTensor.contiguous("bools", "BoolStorage", "2", 3),
                StoredTensor.contiguous("bytes", "ByteStorage", "3", 2));
        Path file = dir.resolve("pytorch_model.bin");
        TorchFiles.writeZip(file, "pytorch_model", TorchFiles.stateDictPickle(tensors, false), Map.of(
                "0", longs.array(), "1", bf16.array(), "2", new byte[] {1, 0, 1}, "3", new byte[] {(byte) 255, 7}), null);
        try (Checkpoint c = Checkpoint.open(file)) {
            assertThat(c.readFloat32("longs")).containsExactly(-3f, (float) (1L << 40));
            assertThat(c.readFloat32("bf16")).containsExactly(2.5f);
            assertThat(c.readFloat32("bools")).containsExactly(1f, 0f, 1f);
            assertThat(c.readFloat32("bytes")).containsExactly(255f, 7f);
            assertThat(c.info("longs").dtype()).isEqualTo(DType.I64);
        }
    }

    @Test
    void zip64Archives() throws IOException {
        LinkedHashMap<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("big/data.pkl", TorchFiles.stateDictPickle(List.of(StoredTensor.contiguous("w", "FloatStorage", "0", 3)), false));
        entries.put("big/byteorder", "little".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        entries.put("big/data/0", TorchFiles.floats(7, 8, 9));
        Path file = dir.resolve("big.bin");
        TorchFiles.writeZip64(file, entries);
        try (java.util.zip.ZipFile reference = new java.util.zip.ZipFile(file.toFile())) {
            assertThat(reference.getInputStream(reference.getEntry("big/data/0")).readAllBytes()).isEqualTo(TorchFiles.floats(7, 8, 9));
        }
        try (Checkpoint c = Checkpoint.open(file)) {
            assertThat(c.readFloat32("w")).containsExactly(7, 8, 9);
        }
    }

    @Test
    void emptyTensorsAndStorages() throws IOException {
        List<StoredTensor> tensors = List.of(StoredTensor.contiguous("none", "FloatStorage", "0", 0, 5));
        Path file = dir.resolve("pytorch_model.bin");
        TorchFiles.writeZip(file, "archive", TorchFiles.stateDictPickle(tensors, false), Map.of("0", new byte[0]), "little");
        try (Checkpoint c = Checkpoint.open(file)) {
            assertThat(c.info("none").shape()).containsExactly(0, 5);
            assertThat(c.readFloat32("none")).isEmpty();
        }
    }

    @Test
    void viewOutsideItsStorageIsRejected() throws IOException {
        List<StoredTensor> tensors = List.of(new StoredTensor("w", "FloatStorage", "0", 6, 2, new long[] {2, 3}, new long[] {3, 1}));
        Path file = dir.resolve("pytorch_model.bin");
        TorchFiles.writeZip(file, "archive", TorchFiles.stateDictPickle(tensors, false), Map.of("0", TorchFiles.floats(0, 1, 2, 3, 4, 5)), "little");
        assertThatThrownBy(() -> Checkpoint.open(file)).isExactlyInstanceOf(JlensException.class)
                .hasMessage("pytorch_model.bin: tensor 'w': size [2, 3], stride [3, 1] and offset 2 reach element 7 of a storage of 6 elements");
    }

    @Test
    void storageShorterThanDeclaredIsRejected() throws IOException {
        List<StoredTensor> tensors = List.of(StoredTensor.contiguous("w", "FloatStorage", "0", 4));
        Path file = dir.resolve("pytorch_model.bin");
        TorchFiles.writeZip(file, "archive", TorchFiles.stateDictPickle(tensors, false), Map.of("0", TorchFiles.floats(1, 2, 3)), "little");
        assertThatThrownBy(() -> Checkpoint.open(file)).isExactlyInstanceOf(JlensException.class)
                .hasMessage("pytorch_model.bin: tensor 'w': storage '0' should hold 16 bytes but has 12");
    }

    @Test
    void missingStorageEntryIsRejected() throws IOException {
        List<StoredTensor> tensors = List.of(StoredTensor.contiguous("w", "FloatStorage", "9", 1));
        Path file = dir.resolve("pytorch_model.bin");
        TorchFiles.writeZip(file, "archive", TorchFiles.stateDictPickle(tensors, false), Map.of(), "little");
        assertThatThrownBy(() -> Checkpoint.open(file)).isExactlyInstanceOf(JlensException.class)
                .hasMessage("pytorch_model.bin: zip archive has no entry 'archive/data/9'");
    }

    @Test
    void bigEndianAndUnknownByteOrdersAreRejected() throws IOException {
        byte[] pickle = TorchFiles.stateDictPickle(List.of(), false);
        Path file = dir.resolve("pytorch_model.bin");
        TorchFiles.writeZip(file, "archive", pickle, Map.of(), "big");
        assertThatThrownBy(() -> Checkpoint.open(file))
                .hasMessage("pytorch_model.bin: stores big-endian data (byteorder 'big'); jlens reads only little-endian checkpoints");
        TorchFiles.writeZip(file, "archive", pickle, Map.of(), "middle");
        assertThatThrownBy(() -> Checkpoint.open(file)).hasMessage("pytorch_model.bin: has an unknown byteorder 'middle'");
    }

    @Test
    void compressedEntriesAndForeignZipsAreRejected() throws IOException {
        Path file = dir.resolve("pytorch_model.bin");
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            zip.putNextEntry(new ZipEntry("archive/data.pkl"));
            zip.write(TorchFiles.stateDictPickle(List.of(), false));
            zip.closeEntry();
        }
        assertThatThrownBy(() -> Checkpoint.open(file)).isExactlyInstanceOf(JlensException.class)
                .hasMessage("pytorch_model.bin: zip entry 'archive/data.pkl' is compressed (method 8); torch stores checkpoint entries uncompressed");
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            TorchFiles.stored(zip, "readme.txt", new byte[] {'h', 'i'});
        }
        assertThatThrownBy(() -> Checkpoint.open(file)).isExactlyInstanceOf(JlensException.class)
                .hasMessage("pytorch_model.bin: zip archive has no <dir>/data.pkl, so it is not a torch checkpoint");
    }

    @Test
    void stateDictMustHoldTensors() throws IOException {
        byte[] pickle = new PickleWriter().proto(2).emptyDict().str("step").integer(1000).setitem().stop().toByteArray();
        Path file = dir.resolve("pytorch_model.bin");
        TorchFiles.writeZip(file, "archive", pickle, Map.of(), "little");
        assertThatThrownBy(() -> Checkpoint.open(file)).isExactlyInstanceOf(JlensException.class)
                .hasMessage("pytorch_model.bin: state dict entry 'step' is of type int, not a tensor");
        TorchFiles.writeZip(file, "archive", new PickleWriter().proto(2).emptyList().stop().toByteArray(), Map.of(), "little");
        assertThatThrownBy(() -> Checkpoint.open(file)).hasMessage("pytorch_model.bin: holds a pickled list instead of a state dict of tensors");
    }

    @Test
    void legacyFormat() throws IOException {
        List<StoredTensor> tensors = List.of(
                StoredTensor.contiguous("wte.weight", "FloatStorage", "94", 2, 3),
                new StoredTensor("lm_head.weight", "FloatStorage", "94", 6, 0, new long[] {2, 3}, new long[] {3, 1}),
                new StoredTensor("transposed", "FloatStorage", "94", 6, 0, new long[] {3, 2}, new long[] {1, 3}),
                new StoredTensor("h.0.attn.bias", "ByteStorage", "95", 4, 0, new long[] {1, 1, 2, 2}, new long[] {4, 4, 2, 1}),
                StoredTensor.contiguous("half", "HalfStorage", "96", 2));
        LinkedHashMap<String, byte[]> storages = new LinkedHashMap<>();
        storages.put("94", TorchFiles.floats(0, 1, 2, 3, 4, 5));
        storages.put("95", new byte[] {1, 0, 1, 1});
        storages.put("96", TorchFiles.halves(0.5f, -8f));
        Path file = dir.resolve("legacy.bin");
        TorchFiles.writeLegacy(file, TorchFiles.stateDictPickle(tensors, true), storages, Map.of("94", 4, "95", 1, "96", 2));
        try (Checkpoint c = Checkpoint.open(file)) {
            assertThat(c).isInstanceOf(TorchCheckpoint.class);
            assertThat(c.names()).containsExactly("h.0.attn.bias", "half", "lm_head.weight", "transposed", "wte.weight");
            assertThat(c.readFloat32("wte.weight")).containsExactly(0, 1, 2, 3, 4, 5);
            assertThat(c.readFloat32("lm_head.weight")).isEqualTo(c.readFloat32("wte.weight"));
            assertThat(c.readFloat32("transposed")).containsExactly(0, 3, 1, 4, 2, 5);
            assertThat(c.readFloat32("h.0.attn.bias")).containsExactly(1, 0, 1, 1);
            assertThat(c.info("h.0.attn.bias").dtype()).isEqualTo(DType.U8);
            assertThat(c.readFloat32("half")).containsExactly(0.5f, -8f);
        }
        try (Checkpoint c = TorchCheckpoint.open(file)) {
            assertThat(c.names()).hasSize(5);
        }
    }

    @Test
    void legacyStorageViewsAreHonored() throws IOException {
        // Legacy persistent ids may carry view metadata (view_key, offset, numel): a window onto the root storage.
        byte[] pickle = new PickleWriter().proto(2).emptyDict()
                .str("w").global("torch._utils", "_rebuild_tensor_v2").mark()
                .mark().str("storage").global("torch", "FloatStorage").str("7").str("cpu").integer(6)
                .mark().str("7v").integer(2).integer(3).tuple().tuple().persid()
                .integer(0).tupleOf(3).tupleOf(1).bool(false).global("collections", "OrderedDict").emptyTuple().reduce()
                .tuple().reduce().setitem().stop().toByteArray();
        LinkedHashMap<String, byte[]> storages = new LinkedHashMap<>();
        storages.put("7", TorchFiles.floats(0, 1, 2, 3, 4, 5));
        Path file = dir.resolve("legacy.bin");
        TorchFiles.writeLegacy(file, pickle, storages, Map.of("7", 4));
        try (Checkpoint c = Checkpoint.open(file)) {
            assertThat(c.readFloat32("w")).containsExactly(2, 3, 4);
        }
    }

    @Test
    void legacyFileCutShortIsRejected() throws IOException {
        LinkedHashMap<String, byte[]> storages = new LinkedHashMap<>();
        storages.put("0", TorchFiles.floats(1, 2, 3, 4));
        Path file = dir.resolve("legacy.bin");
        TorchFiles.writeLegacy(file, TorchFiles.stateDictPickle(List.of(StoredTensor.contiguous("w", "FloatStorage", "0", 4)), true),
                storages, Map.of("0", 4));
        byte[] whole = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(whole, whole.length - 1));
        assertThatThrownBy(() -> Checkpoint.open(file)).isExactlyInstanceOf(JlensException.class)
                .hasMessage("legacy.bin: is truncated: storage '0' declares 4 elements of F32 but 15 bytes remain");
        Files.write(file, Arrays.copyOf(whole, 40));
        assertThatThrownBy(() -> Checkpoint.open(file)).isExactlyInstanceOf(JlensException.class).hasMessageStartingWith("legacy.bin: ");
    }

    @Test
    void picklesThatAreNotTorchCheckpoints() throws IOException {
        Path file = dir.resolve("model.pkl");
        Files.write(file, new PickleWriter().proto(2).integer(42).stop().toByteArray());
        assertThatThrownBy(() -> Checkpoint.open(file)).isExactlyInstanceOf(JlensException.class)
                .hasMessage("model.pkl: is neither safetensors nor a torch checkpoint (its first pickle is not torch's magic number)");
    }

    @Test
    void maliciousGlobalsInAZipCheckpointAreRefused() throws IOException {
        byte[] pickle = new PickleWriter().proto(2).global("os", "system").str("touch pwned").tuple().reduce().stop().toByteArray();
        Path file = dir.resolve("pytorch_model.bin");
        TorchFiles.writeZip(file, "archive", pickle, Map.of(), "little");
        assertThatThrownBy(() -> Checkpoint.open(file)).isExactlyInstanceOf(JlensException.class)
                .hasMessage("pytorch_model.bin: refuses the pickle global 'os.system' (only torch tensor rebuild functions, "
                        + "storage types and OrderedDict are allowed); nothing from the file was executed");
    }

    @Test
    void maliciousGlobalsInALegacyCheckpointAreRefused() throws IOException {
        byte[] pickle = new PickleWriter().proto(2).global("builtins", "eval").mark().str("__import__('os')").tuple().reduce().stop().toByteArray();
        Path file = dir.resolve("pytorch_model.bin");
        TorchFiles.writeLegacy(file, pickle, new LinkedHashMap<>(), Map.of());
        assertThatThrownBy(() -> Checkpoint.open(file)).isExactlyInstanceOf(JlensException.class)
                .hasMessageStartingWith("pytorch_model.bin: refuses the pickle global 'builtins.eval'");
    }

    // ---- views that make more tensor than there is file --------------------------------------------------------

    /** A view with stride 0 reads one stored float as a whole matrix: refused, naming the tensor. */
    @Test
    void aStrideZeroViewOfMoreElementsThanItsStorageIsRefused() throws IOException {
        List<StoredTensor> tensors = List.of(
                new StoredTensor("wte.weight", "FloatStorage", "0", 1, 0, new long[] {50257, 768}, new long[] {0, 0}));
        Path file = dir.resolve("pytorch_model.bin");
        TorchFiles.writeZip(file, "archive", TorchFiles.stateDictPickle(tensors, false), Map.of("0", TorchFiles.floats(0.5f)), "little");
        assertThatThrownBy(() -> Checkpoint.open(file)).isExactlyInstanceOf(JlensException.class)
                .hasMessage("pytorch_model.bin: tensor 'wte.weight': size [50257, 768] and stride [0, 0] make 38597376 elements"
                        + " out of a storage of 1; a view that repeats elements is not a stored tensor");
    }

    /**
     * Views that each stay within their storage but all look at the same bytes: the file's tensors may add up to
     * twice its size (tied embeddings), and the tensor that goes past that is named.
     */
    @Test
    void manyViewsOfTheSameBytesAreRefusedPastTwiceTheFile() throws IOException {
        int views = 40;
        List<StoredTensor> tensors = new java.util.ArrayList<>();
        for (int i = 0; i < views; i++) {
            tensors.add(StoredTensor.contiguous(String.format("t%02d", i), "FloatStorage", "0", 256));
        }
        Path file = dir.resolve("pytorch_model.bin");
        TorchFiles.writeZip(file, "archive", TorchFiles.stateDictPickle(tensors, false), Map.of("0", new byte[1024]), "little");
        long size = Files.size(file);
        int crossing = (int) (2 * size / 1024);   // 0-based: the first whose 1024 bytes go past 2 x size
        assertThat(crossing).as("the file must be small enough for the views to cross the bound").isLessThan(views);
        assertThatThrownBy(() -> Checkpoint.open(file)).isExactlyInstanceOf(JlensException.class)
                .hasMessage("pytorch_model.bin: tensor " + String.format("'t%02d'", crossing) + " brings the bytes the tensors view to "
                        + 1024L * (crossing + 1) + ", more than 2 times the file's " + size + " bytes; its tensors view the same stored bytes over and over");
    }

    /** Tied embeddings, as torch.save writes GPT2LMHeadModel: two tensors on one storage. */
    @Test
    void twoTensorsOnOneStorageAreRead() throws IOException {
        List<StoredTensor> tensors = List.of(
                StoredTensor.contiguous("transformer.wte.weight", "FloatStorage", "0", 2, 3),
                StoredTensor.contiguous("lm_head.weight", "FloatStorage", "0", 2, 3));
        Path file = dir.resolve("pytorch_model.bin");
        TorchFiles.writeZip(file, "archive", TorchFiles.stateDictPickle(tensors, false), Map.of("0", TorchFiles.floats(1, 2, 3, 4, 5, 6)), "little");
        try (Checkpoint c = Checkpoint.open(file)) {
            assertThat(c.readFloat32("lm_head.weight")).containsExactly(1, 2, 3, 4, 5, 6);
            assertThat(c.readFloat32("transformer.wte.weight")).containsExactly(1, 2, 3, 4, 5, 6);
        }
    }

    /**
     * Through the command line: fixture A's tensors, each a stride-0 view of one stored float (a file of a few KB
     * that would be a model of every weight 0.5); refused at the first tensor of more than one element.
     */
    @Test
    void aModelOfStrideZeroViewsIsRefusedByTheCommandLine() throws IOException {
        Path a = dev.jlens.Fixtures.modelDir("a");
        Path model = Files.createDirectories(dir.resolve("model"));
        for (String f : new String[] {"config.json", "vocab.json", "merges.txt"}) {
            Files.copy(a.resolve(f), model.resolve(f));
        }
        List<StoredTensor> tensors = new java.util.ArrayList<>();
        String firstRefused = null;
        try (Checkpoint original = Checkpoint.open(a.resolve("model.safetensors"))) {
            for (String name : original.names()) {
                long[] shape = original.info(name).shape();
                tensors.add(new StoredTensor(name, "FloatStorage", "0", 1, 0, shape, new long[shape.length]));
                if (firstRefused == null && Arrays.stream(shape).reduce(1, Math::multiplyExact) > 1) firstRefused = name;
            }
        }
        TorchFiles.writeZip(model.resolve("pytorch_model.bin"), "archive", TorchFiles.stateDictPickle(tensors, false),
                Map.of("0", TorchFiles.floats(0.5f)), "little");
        String[] r = dev.jlens.cli.CliRunnerAccess.run("generate", "--model", model.toString(), "--prompt", "x", "--max-new-tokens", "1", "--greedy");
        assertThat(r[0]).as(r[2]).isEqualTo("1");
        assertThat(r[1]).isEmpty();
        assertThat(r[2]).startsWith("jlens: pytorch_model.bin: tensor '" + firstRefused + "': size [")
                .endsWith("; a view that repeats elements is not a stored tensor\n").hasLineCount(1);
    }
}
