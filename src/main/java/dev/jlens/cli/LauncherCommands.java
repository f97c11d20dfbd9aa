package dev.jlens.cli;

import dev.jlens.JlensException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;

/**
 * Commands the {@code ./jlens} launcher carries out itself, because they start another program in place of the
 * JVM (so that it owns the terminal and its signals): listed here for {@code jlens help}, refused with the way to
 * run them when this JVM is reached directly.
 */
final class LauncherCommands {
    private LauncherCommands() {}

    private static JlensException throughTheLauncher(String command, String does) {
        return new JlensException(command + ": runs through the ./jlens launcher, which " + does + "; run ./jlens " + command);
    }

    @Command(name = "jshell", mixinStandardHelpOptions = true,
            description = "JShell on JDK 25 with jlens on the class path, the JVM flags it needs and its packages imported "
                    + "(scripts/jlens.jsh). Further arguments go to jshell.")
    static final class Jshell implements Runnable {
        @Parameters(paramLabel = "JSHELL_ARG", arity = "0..*", description = "Arguments for jshell (e.g. a script file).")
        List<String> arguments = new ArrayList<>();

        @Override
        public void run() {
            throw throughTheLauncher("jshell", "starts the JDK's jshell in its place");
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Run a Java program (a source file such as examples/SeedNotebook.java, or a class) on JDK 25 "
                    + "with jlens on the class path and the JVM flags it needs.")
    static final class Run implements Runnable {
        @Parameters(paramLabel = "PROGRAM", index = "0", description = "A .java source file or a main class.")
        String program;

        @Parameters(paramLabel = "PROGRAM_ARG", index = "1..*", arity = "0..*", description = "The program's arguments.")
        List<String> arguments = new ArrayList<>();

        @Override
        public void run() {
            throw throughTheLauncher("run", "starts the program's JVM in its place");
        }
    }
}
