package dev.jlens.cli;

import dev.jlens.JlensException;
import dev.jlens.OutOfMemory;
import dev.jlens.io.AtomicFile;
import dev.jlens.util.Text;
import picocli.CommandLine;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Entry point of the {@code jlens} command line. Every failure ends as one line on stderr and a non-zero
 * exit code: 2 for a bad command line, 1 for bad input or a failed run; a stack trace only with --debug.
 */
public final class Main {
    private Main() {}

    /** Commands that run the model: their kernels start compiling before anything else happens. */
    private static final java.util.Set<String> MODEL_COMMANDS = java.util.Set.of("test-prompt", "cache", "generate", "analyze", "report", "serve", "bench");

    public static void main(String[] jvmArgs) {
        // The matrix kernel is fast only once C2 has compiled it, which takes the JVM about half a second of
        // calls; starting now overlaps that with the JVM's and the command line's own start-up.
        if (jvmArgs.length > 0 && MODEL_COMMANDS.contains(jvmArgs[0]) && warmsUp()) dev.jlens.tensor.WarmUp.startInBackground();
        // Likewise the native calls of writing outputs whole, which would otherwise be linked at the first write.
        if (jvmArgs.length > 0 && MODEL_COMMANDS.contains(jvmArgs[0])) Thread.ofPlatform().name("jlens-output-prepare").daemon().start(AtomicFile::prepare);
        deleteTemporariesOnExit();
        finishCacheWritesOnExit();
        Streams streams = Streams.standard();
        String[] args;
        try {
            args = RawArguments.utf8(jvmArgs);
        } catch (RawArguments.NotUtf8 e) {
            CommandLine.Model.CommandSpec spec = JlensCommand.commandLine(streams).getCommandSpec();
            streams.err().println("jlens: " + Text.oneLine(RawArguments.message(e, jvmArgs, spec)));
            System.exit(2);
            return;
        }
        System.exit(run(args, streams));
    }

    /**
     * A write cut short by Ctrl-C or SIGTERM leaves no temporary file beside its output (where the OS cannot make
     * unnamed files; on Linux there is none to delete). The library leaves process-wide hooks to the program.
     */
    static void deleteTemporariesOnExit() {
        Runtime.getRuntime().addShutdownHook(new Thread(dev.jlens.io.AtomicFile::deleteTemporariesInFlight, "jlens-temporaries"));
    }

    /** Whether model commands warm the kernels up: unless {@code -Djlens.noWarmUp=true} (the launcher's AOT training run). */
    static boolean warmsUp() {
        return !Boolean.getBoolean("jlens.noWarmUp");
    }

    /**
     * Ctrl-C or SIGTERM while a processed-weights cache file is being written waits for the file (the JVM would
     * otherwise cut its thread short, and the next run convert the checkpoint again).
     */
    static void finishCacheWritesOnExit() {
        Runtime.getRuntime().addShutdownHook(new Thread(dev.jlens.model.HookedTransformer::awaitCacheWrites, "jlens-weights-cache-flush"));
    }

    /** Runs the command line with these output streams; returns the exit code (used by tests too). */
    public static int run(String[] args, Streams streams) {
        CommandLine cli = JlensCommand.commandLine(streams, args);
        // picocli would replace an argument "@path" by the words of that file: a prompt "@home" would become
        // whatever ./home holds. Every argument is taken as written.
        cli.setExpandAtFiles(false);
        cli.setOut(new PrintWriter(streams.out(), true));
        cli.setErr(new PrintWriter(streams.err(), true));
        cli.setParameterExceptionHandler((e, a) -> {
            streams.err().println("jlens: " + UsageErrors.message(e));
            return 2;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parsed) -> report(e, debug(args), streams));
        try {
            return cli.execute(args);
        } catch (Error e) {
            // picocli hands only Exceptions to the handler above: an Error (out of memory, a stack overflow) would
            // reach the JVM, which prints its stack trace
            return report(e, debug(args), streams);
        } finally {
            // a first load's cache file is written while the command runs; a command is done once it is on disk
            dev.jlens.model.HookedTransformer.awaitCacheWrites();
        }
    }

    static int report(Throwable e, boolean debug, Streams streams) {
        PrintStream err = streams.err();
        if (e instanceof JlensException) {
            err.println("jlens: " + Text.oneLine(e.getMessage()));
        } else if (OutOfMemory.isOrCausedBy(e)) {
            err.println("jlens: out of memory (" + Runtime.getRuntime().maxMemory() / (1 << 20)
                    + " MB heap); give the JVM more with JLENS_JAVA_OPTS=-Xmx<size>");
        } else {
            err.println("jlens: internal error: " + e.getClass().getSimpleName() + ": " + Text.oneLine(String.valueOf(e.getMessage()))
                    + (debug ? "" : " (run with --debug for the stack trace)"));
        }
        if (debug) e.printStackTrace(err);
        return 1;
    }

    private static boolean debug(String[] args) {
        for (String a : args) {
            if (a.equals("--")) return false;
            if (a.equals("--debug")) return true;
        }
        return false;
    }

    /**
     * What a run talks to: stdout for results, stderr for errors and progress, whether stderr is a
     * terminal, and the environment variables (the Hugging Face ones among them).
     */
    public record Streams(PrintStream out, PrintStream err, boolean errIsTerminal, Map<String, String> env) {
        static Streams standard() {
            PrintStream out = utf8(new FileOutputStream(FileDescriptor.out));
            // The launcher sends the JVM's own stderr (its incubator-module warning) to a file and passes
            // the real stderr as descriptor 3; put it back on descriptor 2 before anything is printed.
            String fd = System.getProperty("jlens.stderr.fd");
            OutputStream errStream = fd == null ? new FileOutputStream(FileDescriptor.err) : RealStderr.restoredOnFirstWrite(Integer.parseInt(fd));
            PrintStream err = utf8(errStream);
            System.setOut(out);
            System.setErr(err);
            boolean tty = Boolean.parseBoolean(System.getProperty("jlens.stderr.tty", String.valueOf(System.console() != null)));
            return new Streams(out, err, tty, System.getenv());
        }

        private static PrintStream utf8(OutputStream s) {
            return new PrintStream(s, true, StandardCharsets.UTF_8);
        }
    }
}
