package dev.jlens.cli;

/** CliRunner for tests in other packages: {exit code, stdout, stderr}. */
public final class CliRunnerAccess {
    private CliRunnerAccess() {}

    public static String[] run(String... args) {
        CliRunner.Result r = CliRunner.run(args);
        return new String[] {Integer.toString(r.exitCode()), r.out(), r.err()};
    }
}
