package dev.jlens.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs the jlens command line in-process and captures what it printed. */
final class CliRunner {
    record Result(int exitCode, String out, String err) {
        /** Stderr's lines (an error must be exactly one). */
        String[] errLines() {
            return err.isEmpty() ? new String[0] : err.split("\n");
        }
    }

    static Result run(String... args) {
        return runWithEnv(System.getenv(), args);
    }

    static Result runWithEnv(java.util.Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        Main.Streams streams = new Main.Streams(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false, env);
        int code = Main.run(args, streams);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private CliRunner() {}
}
