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

    /** Runs with this JVM's environment, offline: nothing a test runs this way may reach the real Hub. */
    static Result run(String... args) {
        java.util.Map<String, String> env = new java.util.HashMap<>(System.getenv());
        env.put("HF_HUB_OFFLINE", "1");
        return runWithEnv(env, args);
    }

    static Result runWithEnv(java.util.Map<String, String> env, String... args) {
        return runWithEnv(env, false, args);
    }

    /** As {@link #runWithEnv(java.util.Map, String...)}, telling the command whether stderr is a terminal. */
    static Result runWithEnv(java.util.Map<String, String> env, boolean errIsTerminal, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        Main.Streams streams = new Main.Streams(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), errIsTerminal, env);
        int code = Main.run(args, streams);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private CliRunner() {}
}
