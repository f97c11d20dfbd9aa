package dev.jlens.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlens.JlensException;
import dev.jlens.io.TorchFiles.StoredTensor;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.Random;
import java.util.zip.ZipFile;
import dev.jlens.testing.Fuzz;
import dev.jlens.testing.RandomCases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Arbitrary and mutated inputs either open (and then read) or fail with a JlensException whose message
 * is not the "unexpected" safety net: never another exception, never a hang. The exhaustive variants
 * run the same checks 10^5 times each, or as often as {@code -Dfuzz.tries} asks (Maven profile {@code exhaustive}).
 */
class CheckpointFuzzTest {

    private static final Duration TIME_LIMIT = Duration.ofSeconds(20);
    /** Reading the big matrices on every try would dominate the run time; the small ones exercise the same code. */
    private static final long MAX_NUMEL_TO_READ = 256;

    private static Path dir;
    /** Runs each try, so that a hang becomes a failure; one thread for all tries is much cheaper than one per try. */
    private static ExecutorService runner;
    private static byte[] fixtureAHeader;
    private static Path fixtureACopy;
    private static byte[] fixtureBPickle;
    private static byte[] smallZip;
    private static byte[] smallLegacy;

    @BeforeAll
    static void prepare() throws IOException {
        dir = Files.createTempDirectory("jlens-fuzz");
        runner = Executors.newSingleThreadExecutor();
        Path a = Fixtures.safetensorsA();
        try (RandomAccessFile raf = new RandomAccessFile(a.toFile(), "r")) {
            byte[] length = new byte[8];
            raf.readFully(length);
            fixtureAHeader = new byte[8 + (int) ByteBuffer.wrap(length).order(ByteOrder.LITTLE_ENDIAN).getLong()];
            raf.seek(0);
            raf.readFully(fixtureAHeader);
        }
        fixtureACopy = dir.resolve("fixture-a.safetensors");
        try (RandomAccessFile copy = new RandomAccessFile(fixtureACopy.toFile(), "rw")) {
            copy.setLength(Files.size(a));
        }
        try (ZipFile zip = new ZipFile(Fixtures.torchB().toFile())) {
            fixtureBPickle = zip.getInputStream(zip.getEntry("pytorch_model/data.pkl")).readAllBytes();
        }
        List<StoredTensor> tensors = List.of(
                StoredTensor.contiguous("w", "FloatStorage", "0", 2, 3),
                new StoredTensor("t", "FloatStorage", "0", 6, 1, new long[] {2, 2}, new long[] {1, 3}),
                StoredTensor.contiguous("h", "HalfStorage", "1", 2));
        Path zip = dir.resolve("small.bin");
        TorchFiles.writeZip(zip, "archive", TorchFiles.stateDictPickle(tensors, false),
                Map.of("0", TorchFiles.floats(0, 1, 2, 3, 4, 5), "1", TorchFiles.halves(1, 2)), "little");
        smallZip = Files.readAllBytes(zip);
        LinkedHashMap<String, byte[]> storages = new LinkedHashMap<>();
        storages.put("0", TorchFiles.floats(0, 1, 2, 3, 4, 5));
        storages.put("1", TorchFiles.halves(1, 2));
        Path legacy = dir.resolve("small-legacy.bin");
        TorchFiles.writeLegacy(legacy, TorchFiles.stateDictPickle(tensors, true), storages, Map.of("0", 4, "1", 2));
        smallLegacy = Files.readAllBytes(legacy);
    }

    @AfterAll
    static void cleanUp() throws IOException {
        runner.shutdownNow();
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    // --- the checks ---

    /** Writes the bytes to a file and opens it as any checkpoint. */
    private static void openSurvives(byte[] bytes) {
        Path file = dir.resolve("fuzz.bin");
        try {
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        openSurvives(file);
    }

    /**
     * Overwrites the start of a copy of fixture A, whose tensor data is all sparse zeros, with a mutated
     * header (zero-padded to the original header's length) and opens it. Rewriting in place, instead of
     * writing a 14 MB file per try, keeps this fast.
     */
    private static void mutatedFixtureASurvives(byte[] header) {
        try (FileChannel channel = FileChannel.open(fixtureACopy, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(Arrays.copyOf(header, fixtureAHeader.length)), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        openSurvives(fixtureACopy);
    }

    private static void openSurvives(Path file) {
        survives(() -> {
            try (Checkpoint c = Checkpoint.open(file)) {
                readAll(c);
            }
        });
    }

    /** Feeds a mutated data.pkl to the torch reader, with fixture B's real storages behind it. */
    private static void torchPickleSurvives(byte[] pickle) {
        survives(() -> {
            MappedFile file = MappedFile.open(Fixtures.torchB());
            try (Checkpoint c = file.parse(f -> {
                ZipDirectory zip = ZipDirectory.read(f);
                return TorchCheckpoint.fromPickle(f, "pytorch_model/data.pkl", MemorySegment.ofArray(pickle),
                        key -> zip.data("pytorch_model/data/" + key));
            })) {
                readAll(c);
            }
        });
    }

    private static void unpicklerSurvives(byte[] pickle) {
        survives(() -> new RestrictedUnpickler("fuzz.pkl", null, MemorySegment.ofArray(pickle), 0, id -> id).load());
    }

    private static void readAll(Checkpoint c) {
        for (String name : c.names()) {
            TensorInfo info = c.info(name);
            if (info.numel() <= MAX_NUMEL_TO_READ) {
                assertThat(c.readFloat32(name)).hasSize((int) info.numel());
            }
        }
    }

    private static void survives(Runnable action) {
        Future<?> run = runner.submit(() -> {
            try {
                action.run();
            } catch (JlensException e) {
                assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("(unexpected ");
            }
        });
        try {
            run.get(TIME_LIMIT.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            run.cancel(true);
            throw new AssertionError("still running after " + TIME_LIMIT, e);
        } catch (ExecutionException e) {
            throw new AssertionError("failed with " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    // --- generators ---

    private static final byte[] OPCODES = {'(', '.', '0', '1', '2', 'G', 'J', 'K', 'M', 'N', 'Q', 'R', 'T', 'U', 'X', 'a', 'b',
            'c', '}', 'e', 'h', 'j', ']', 'q', 'r', 's', 't', ')', 'u', 'B', 'C', (byte) 0x80, (byte) 0x81, (byte) 0x85, (byte) 0x86,
            (byte) 0x87, (byte) 0x88, (byte) 0x89, (byte) 0x8a, (byte) 0x8b, (byte) 0x8c, (byte) 0x8d, (byte) 0x8e, (byte) 0x92,
            (byte) 0x93, (byte) 0x94, (byte) 0x95, 0, 1, 2, '\n'};

    /** Bytes drawn mostly from pickle opcodes, so that the unpickler gets past the first few. */
    private static byte[] pickleLike(Random r) {
        byte[] out = new byte[r.nextInt(601)];
        for (int i = 0; i < out.length; i++) out[i] = r.nextInt(10) < 7 ? OPCODES[r.nextInt(OPCODES.length)] : (byte) r.nextInt(256);
        return out;
    }

    private static byte[] anyBytes(Random r) {
        return RandomCases.bytes(r, 1024);
    }

    /** A few byte overwrites, sometimes a cut at the end, of a valid input. */
    private static byte[] mutationOf(Random r, byte[] original) {
        byte[] mutated = original.clone();
        int edits = 1 + r.nextInt(6);
        for (int i = 0; i < edits; i++) mutated[r.nextInt(original.length)] = (byte) r.nextInt(256);
        int keep = r.nextInt(6) < 5 ? original.length : r.nextInt(original.length + 1);
        return Arrays.copyOf(mutated, keep);
    }

    private static final String HEADERISH = "{}[]\",:0123456789-.eE \\u dtype shape data_offsets F32 F16 BF16 I64 BOOL __metadata__";
    private static final List<String> DTYPES = List.of("F64", "F32", "F16", "BF16", "I64", "I32", "I16", "I8", "U8", "BOOL", "F7", "", "f32");
    private static final List<Long> SIZES = List.of(0L, 1L, 2L, 3L, 4L, 8L, 16L, 64L, -1L, 1L << 31, 1L << 32, 1L << 62, Long.MAX_VALUE, Long.MIN_VALUE);

    /**
     * A file whose 8-byte length fits and frames arbitrary header bytes: random, JSON-ish, or a JSON object of tensor
     * entries with odd dtypes, shapes and offsets (overflowing, negative, past the data). Random files alone almost
     * never get past the length, so this is what puts the header parser itself under arbitrary input.
     */
    private static byte[] framedHeader(Random r) {
        byte[] header = switch (r.nextInt(3)) {
            case 0 -> RandomCases.bytes(r, 400);
            case 1 -> RandomCases.fromAlphabet(r, HEADERISH, 400).getBytes(StandardCharsets.UTF_8);
            default -> tensorEntries(r).getBytes(StandardCharsets.UTF_8);
        };
        byte[] data = RandomCases.bytes(r, 64);
        return ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(header.length).put(header).put(data).array();
    }

    private static String tensorEntries(Random r) {
        StringBuilder json = new StringBuilder("{");
        int tensors = r.nextInt(5);
        for (int t = 0; t < tensors; t++) {
            if (t > 0) json.append(", ");
            json.append('"').append(RandomCases.oneOf(r, List.of("w", "b", "w", "__metadata__", ""))).append("\": ");
            if (r.nextInt(8) == 0) {
                json.append(Fuzz.oddValue(r, 0));
                continue;
            }
            json.append("{\"dtype\": \"").append(RandomCases.oneOf(r, DTYPES)).append("\", \"shape\": [");
            int dims = r.nextInt(4);
            for (int d = 0; d < dims; d++) json.append(d > 0 ? ", " : "").append(RandomCases.oneOf(r, SIZES));
            json.append("], \"data_offsets\": [").append(RandomCases.oneOf(r, SIZES)).append(", ").append(RandomCases.oneOf(r, SIZES)).append("]}");
        }
        return json.append("}").toString();
    }

    private static byte[] smallTorchFileMutation(Random r) {
        return mutationOf(r, r.nextBoolean() ? smallZip : smallLegacy);
    }

    // --- the properties: fast ones for every build, exhaustive ones for the `exhaustive` profile ---

    @Test
    void arbitraryBytesAsACheckpoint() {
        RandomCases.run(41, 2000, r -> openSurvives(anyBytes(r)));
    }

    @Test
    void arbitrarySafetensorsHeaders() {
        RandomCases.run(46, 2000, r -> openSurvives(framedHeader(r)));
    }

    @Test
    void mutatedSafetensorsHeader() {
        RandomCases.run(42, 2000, r -> mutatedFixtureASurvives(mutationOf(r, fixtureAHeader)));
    }

    @Test
    void arbitraryPickles() {
        RandomCases.run(43, 2000, r -> unpicklerSurvives(pickleLike(r)));
    }

    @Test
    void mutatedTorchStateDictPickle() {
        RandomCases.run(44, 2000, r -> torchPickleSurvives(mutationOf(r, fixtureBPickle)));
    }

    @Test
    void mutatedSmallTorchFiles() {
        RandomCases.run(45, 2000, r -> openSurvives(smallTorchFileMutation(r)));
    }

    @Tag("exhaustive")
    @Test
    void exhaustiveArbitraryBytesAsACheckpoint() {
        RandomCases.run(51, RandomCases.EXHAUSTIVE, r -> openSurvives(anyBytes(r)));
    }

    @Tag("exhaustive")
    @Test
    void exhaustiveArbitrarySafetensorsHeaders() {
        RandomCases.run(56, RandomCases.EXHAUSTIVE, r -> openSurvives(framedHeader(r)));
    }

    @Tag("exhaustive")
    @Test
    void exhaustiveMutatedSafetensorsHeader() {
        RandomCases.run(52, RandomCases.EXHAUSTIVE, r -> mutatedFixtureASurvives(mutationOf(r, fixtureAHeader)));
    }

    @Tag("exhaustive")
    @Test
    void exhaustiveArbitraryPickles() {
        RandomCases.run(53, RandomCases.EXHAUSTIVE, r -> unpicklerSurvives(pickleLike(r)));
    }

    @Tag("exhaustive")
    @Test
    void exhaustiveMutatedTorchStateDictPickle() {
        RandomCases.run(54, RandomCases.EXHAUSTIVE, r -> torchPickleSurvives(mutationOf(r, fixtureBPickle)));
    }

    @Tag("exhaustive")
    @Test
    void exhaustiveMutatedSmallTorchFiles() {
        RandomCases.run(55, RandomCases.EXHAUSTIVE, r -> openSurvives(smallTorchFileMutation(r)));
    }
}
