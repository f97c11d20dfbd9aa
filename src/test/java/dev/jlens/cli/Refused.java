package dev.jlens.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The answer to every bad input (docs/bad-inputs.md): a non-zero exit code, exactly one line on stderr that
 * starts with {@code jlens: }, no stack trace and no exception class name (without --debug), nothing on stdout,
 * and no output file, whole or partial.
 */
final class Refused {
    private Refused() {}

    /** Runs jlens (offline) and checks the answer is a refusal; returns it for the message checks. */
    static CliRunner.Result run(String... args) {
        return check(CliRunner.run(args), 1);
    }

    static CliRunner.Result runWithEnv(Map<String, String> env, String... args) {
        return check(CliRunner.runWithEnv(env, args), 1);
    }

    /** A bad command line (picocli's own checks): exit code 2. */
    static CliRunner.Result usage(String... args) {
        return check(CliRunner.run(args), 2);
    }

    static CliRunner.Result check(CliRunner.Result r, int exitCode) {
        assertThat(r.exitCode()).as("exit code; stderr: " + r.err()).isEqualTo(exitCode);
        assertThat(r.errLines()).as("stderr lines: " + r.err()).hasSize(1);
        assertThat(r.err()).startsWith("jlens: ").doesNotContain("\tat ").doesNotContain("Exception")
                .doesNotContain("internal error").doesNotContain("Error:");
        assertThat(r.out()).as("stdout").isEmpty();
        return r;
    }

    /** {@code out} was not written, and nothing of a write (a temporary file) is left beside it. */
    static void nothingWritten(Path out) {
        assertThat(out).doesNotExist();
        Path folder = out.toAbsolutePath().getParent();
        if (folder != null && Files.isDirectory(folder)) {
            try (Stream<Path> files = Files.list(folder)) {
                assertThat(files.map(p -> p.getFileName().toString()))
                        .as("temporary files in " + folder).noneMatch(n -> n.endsWith(".partial") || n.startsWith("." + out.getFileName()));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
    }
}
