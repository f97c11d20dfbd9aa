package dev.jlens.io;

import dev.jlens.JlensException;
import dev.jlens.model.ModelConfig;
import dev.jlens.testing.NamedPipe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The cap on the bytes read from a small input file, whatever size the file system reports for it. */
class SmallFilesTest {
    private static final long ONE_MB = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void aFileOfExactlyTheCapIsReadAndOneByteMoreIsRefusedBeforeReading() throws IOException {
        byte[] whole = new byte[(int) ONE_MB];
        whole[whole.length - 1] = 7;
        assertThat(SmallFiles.read(Files.write(dir.resolve("a"), whole), ONE_MB, "a test file")).isEqualTo(whole);
        Path over = dir.resolve("b");
        try (RandomAccessFile f = new RandomAccessFile(over.toFile(), "rw")) {
            f.setLength(ONE_MB + 1);
        }
        assertThatThrownBy(() -> SmallFiles.read(over, ONE_MB, "a test file")).isExactlyInstanceOf(JlensException.class)
                .hasMessage(over + ": 1048577 bytes, more than the 1 MB a test file may have; is this a test file?");
    }

    /** /dev/zero reports 0 bytes and never ends. */
    @Test
    void anEndlessDeviceIsRefusedAtTheCap() {
        assertThatThrownBy(() -> SmallFiles.read(Path.of("/dev/zero"), ONE_MB, "a test file")).isExactlyInstanceOf(JlensException.class)
                .hasMessage("/dev/zero: more than the 1 MB a test file may have; is this a test file?");
    }

    /** Past the cap by one byte only: the stream asks for no more than cap + 1 bytes in all. */
    @Test
    void aStreamReadsAtMostOneBytePastTheCap() throws Exception {
        Path file = Files.write(dir.resolve("c"), new byte[100]);
        try (var in = SmallFiles.open(file, 200, "a test file")) {
            assertThat(in.readAllBytes()).hasSize(100);
        }
        Path pipe = dir.resolve("pipe");
        try (NamedPipe feeding = NamedPipe.feeding(pipe, new byte[0], (byte) 1, ONE_MB + 5000);
             var in = SmallFiles.open(pipe, ONE_MB, "a test file")) {
            byte[] buffer = new byte[(int) ONE_MB + 4096];
            int got = in.readNBytes(buffer, 0, (int) ONE_MB);
            assertThat(got).isEqualTo((int) ONE_MB);
            assertThatThrownBy(() -> in.read(buffer, 0, 4096)).isExactlyInstanceOf(JlensException.class)
                    .hasMessage(pipe + ": more than the 1 MB a test file may have; is this a test file?");
        }
    }

    /** config.json through a pipe: refused at 16 MB + 1 byte, as a file of that size is. */
    @Test
    void aConfigJsonPipeIsReadNoFurtherThan16MB() throws Exception {
        Path config = dir.resolve("config.json");
        try (NamedPipe pipe = NamedPipe.feeding(config, "{\"n_embd\": 64".getBytes(StandardCharsets.UTF_8), (byte) ' ', (16L << 20) + 1)) {
            assertThatThrownBy(() -> ModelConfig.fromHuggingFace(config, "m", false)).isExactlyInstanceOf(JlensException.class)
                    .hasMessage(config + ": more than the 16 MB a config.json may have; is this a config.json?");
        }
    }

    @Test
    void utf8TextIsDecodedStrictlyWithoutALeadingByteOrderMark() {
        assertThat(SmallFiles.utf8("E.json", "{\"a\": \"é😀\"}".getBytes(StandardCharsets.UTF_8))).isEqualTo("{\"a\": \"é😀\"}");
        assertThat(SmallFiles.utf8("E.json", new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', '}'})).isEqualTo("{}");
        assertThat(SmallFiles.utf8("E.json", new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF})).isEmpty();
        assertThat(SmallFiles.utf8("E.json", new byte[0])).isEmpty();
        assertThat(SmallFiles.utf8("E.json", "a\uFEFFb".getBytes(StandardCharsets.UTF_8))).isEqualTo("a\uFEFFb");
        for (byte[] bad : new byte[][] {{'a', (byte) 0xFF}, {(byte) 0xC3}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}}) {
            assertThatThrownBy(() -> SmallFiles.utf8("E.json", bad)).isInstanceOf(JlensException.class).hasMessage("E.json: not valid UTF-8 text");
        }
    }

    @Test
    void aConfigJsonWithAByteOrderMarkReadsAsWithout() throws IOException {
        byte[] plain = Files.readAllBytes(dev.jlens.Fixtures.modelDir("a").resolve("config.json"));
        byte[] marked = new byte[plain.length + 3];
        marked[0] = (byte) 0xEF;
        marked[1] = (byte) 0xBB;
        marked[2] = (byte) 0xBF;
        System.arraycopy(plain, 0, marked, 3, plain.length);
        Path withMark = Files.write(Files.createDirectories(dir.resolve("marked")).resolve("config.json"), marked);
        Path without = Files.write(Files.createDirectories(dir.resolve("plain")).resolve("config.json"), plain);
        assertThat(ModelConfig.fromHuggingFace(withMark, "m", false)).isEqualTo(ModelConfig.fromHuggingFace(without, "m", false));
    }
}
