package dev.jlens.cli;

import dev.jlens.Fixtures;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Command-line arguments as bytes: jlens in a JVM of its own, started by bash so that an argument can hold any
 * byte ({@code $'\xff'}), under the C, POSIX and C.UTF-8 locales. The JVM would decode the bytes with the locale's
 * charset and hand main U+FFFD for every byte it cannot read; jlens reads them as UTF-8 and refuses what is not.
 */
class ArgumentBytesTest {
    private static final String A = Fixtures.modelDir("a").toString();

    private record Run(int exit, String out, String err) {}

    /**
     * Runs {@code jlens ARGS... LAST}, where {@code last} is bash source for the last argument (e.g.
     * {@code $'caf\xc3\xa9'}), with the locale set by {@code locale} (LANG, LC_ALL and LC_CTYPE otherwise unset).
     */
    private static Run jlens(Map<String, String> locale, String last, String... args) throws Exception {
        return jlens("", locale, last, args);
    }

    /** As {@link #jlens(Map, String, String...)}, the bash source {@code prelude} run first. */
    private static Run jlens(String prelude, Map<String, String> locale, String last, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", "-c", prelude + "exec \"$@\" " + last, "bash",
                ProcessHandle.current().info().command().orElseThrow(), "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.equals("LANG") || k.startsWith("LC_"));
        env.putAll(locale);
        env.put("HF_HUB_OFFLINE", "1");
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        String err = read(p.getErrorStream()).replaceAll("(?m)^WARNING: Using incubator modules.*\n", "");
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("jlens ended").isTrue();
        return new Run(p.exitValue(), out.get(), err);
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final List<Map<String, String>> LOCALES = List.of(
            Map.of("LC_ALL", "C"), Map.of("LC_ALL", "POSIX"), Map.of("LANG", "C"), Map.of("LC_ALL", "C.UTF-8"));

    /** "café" as UTF-8 bytes is "café" under every locale, tokenized as the in-process run (no argv decoding) does. */
    @Test
    void validUtf8ArgumentsAreReadAsUtf8UnderEveryLocale() throws Exception {
        CliRunner.Result expected = CliRunner.run("tokenize", "--model", A, "--no-bos", "--json", "--", "café ☕");
        assertThat(expected.exitCode()).as(expected.err()).isZero();
        for (Map<String, String> locale : LOCALES) {
            Run r = jlens(locale, "$'caf\\xc3\\xa9 \\xe2\\x98\\x95'", "tokenize", "--model", A, "--no-bos", "--json", "--");
            assertThat(r.err()).as(locale.toString()).isEmpty();
            assertThat(r.exit()).as(locale.toString()).isZero();
            assertThat(r.out()).as(locale.toString()).isEqualTo(expected.out());
        }
    }

    /** A byte that is not UTF-8 is refused with one line naming the option, as a file that is not UTF-8 is. */
    @Test
    void anArgumentThatIsNotUtf8IsRefusedNamingTheOption() throws Exception {
        for (Map<String, String> locale : LOCALES) {
            Run r = jlens(locale, "$'1 2 \\xff'", "test-prompt", "--model", A, "--answer", " 3", "--prompt");
            assertThat(r.exit()).as(locale + ": " + r.err()).isEqualTo(2);
            assertThat(r.out()).isEmpty();
            assertThat(r.err()).as(locale.toString()).isEqualTo("jlens: --prompt: not valid UTF-8 text (byte 0xFF at byte 4);"
                    + " jlens reads its arguments as UTF-8, whatever the locale\n");
        }
    }

    /** A text that is no option's value is named by its place; a cut multi-byte sequence is as invalid as a stray byte. */
    @Test
    void aTextThatIsNotUtf8IsNamedByItsPlace() throws Exception {
        Run r = jlens(Map.of("LC_ALL", "C.UTF-8"), "$'ab\\xe2\\x98'", "tokenize", "--model", A, "--no-bos", "--json", "--");
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("jlens: argument 7: not valid UTF-8 text (byte 0xE2 at byte 2); jlens reads its arguments as UTF-8, whatever the locale\n");
        Run equals = jlens(Map.of("LC_ALL", "C"), "$'--prompt=\\xc0\\xaf'", "test-prompt", "--model", A, "--answer", " 3");
        assertThat(equals.err()).isEqualTo("jlens: --prompt: not valid UTF-8 text (byte 0xC0 at byte 9); jlens reads its arguments as UTF-8, whatever the locale\n");
    }

    /**
     * The JVM names files in the locale's charset, ASCII under C and POSIX, where a folder named "modèle" cannot be
     * opened at all; the launcher (scripts/utf8-locale.sh) gives it a UTF-8 character type whatever the locale.
     */
    @Test
    void underTheLaunchersLocaleAFileNameOfAnyCharacterCanBeOpened(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path model = java.nio.file.Files.createDirectory(dir.resolve("mod\u00e8le"));
        for (String f : new String[] {"config.json", "vocab.json", "merges.txt"}) {
            java.nio.file.Files.copy(Path.of(A, f), model.resolve(f));
        }
        CliRunner.Result expected = CliRunner.run("tokenize", "--model", A, "--no-bos", "--json", "--", "hello");
        String launcherLocale = ". scripts/utf8-locale.sh && jlens_utf8_locale && ";
        for (Map<String, String> locale : LOCALES) {
            Run r = jlens(launcherLocale, locale, "hello", "tokenize", "--model", model.toString(), "--no-bos", "--json", "--");
            assertThat(r.err()).as(locale.toString()).isEmpty();
            assertThat(r.out()).as(locale.toString()).isEqualTo(expected.out());
        }
        Run without = jlens(Map.of("LC_ALL", "C"), "hello", "tokenize", "--model", model.toString(), "--no-bos", "--json", "--");
        assertThat(without.exit()).as("without the launcher's locale the JVM cannot name the folder").isNotZero();
    }
}
