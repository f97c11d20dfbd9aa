package dev.jlens.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Matching main's arguments to the process's argument bytes (a /proc/self/cmdline of the test's making). */
class RawArgumentsTest {
    @TempDir
    Path dir;

    private Path cmdline(String latin1) throws Exception {
        return Files.write(dir.resolve("cmdline"), latin1.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void theTailIsDecodedAsUtf8EmptyArgumentsIncluded() throws Exception {
        Path file = cmdline("java\0-cp\0x\0Main\0caf\u00c3\u00a9\0\0--\0");
        String[] jvm = {"caf\uFFFD\uFFFD", "", "--"};   // as the JVM decodes them under LANG=C (ASCII)
        assertThat(RawArguments.utf8(jvm, file, StandardCharsets.US_ASCII)).containsExactly("café", "", "--");
    }

    /** java @argfile, or a cmdline the process rewrote: the bytes are not main's arguments, which are used as given. */
    @Test
    void argumentsThatDoNotMatchTheBytesAreLeftAsGiven() throws Exception {
        Path file = cmdline("java\0@options\0");
        String[] jvm = {"tokenize", "--", "caf\uFFFD"};
        assertThat(RawArguments.utf8(jvm, file, StandardCharsets.UTF_8)).isSameAs(jvm);
        String[] other = {"x\uFFFD"};
        assertThat(RawArguments.utf8(other, cmdline("java\0Main\0y\u00ff\0"), StandardCharsets.UTF_8)).isSameAs(other);
    }

    @Test
    void withoutProcTheArgumentsAreLeftAsGiven() throws Exception {
        String[] jvm = {"a"};
        assertThat(RawArguments.utf8(jvm, dir.resolve("no-proc"), StandardCharsets.UTF_8)).isSameAs(jvm);
    }

    @Test
    void theFirstBadByteIsFound() throws Exception {
        Path file = cmdline("java\0Main\0ok\0ab\u00e2\u0098\0");
        assertThatThrownBy(() -> RawArguments.utf8(new String[] {"ok", "ab\uFFFD"}, file, StandardCharsets.UTF_8))
                .isInstanceOfSatisfying(RawArguments.NotUtf8.class, e -> {
                    assertThat(e.index).isEqualTo(1);
                    assertThat(e.offset).isEqualTo(2);
                    assertThat(e.value).isEqualTo(0xE2);
                });
    }
}
