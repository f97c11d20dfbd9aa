package dev.jlens.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;

/** The top-level {@code jlens} command: global options and the list of subcommands. */
@Command(name = "jlens",
        description = "Mechanistic interpretability for GPT-2 on the JVM, number for number with TransformerLens.",
        mixinStandardHelpOptions = true,
        footer = {"", "Run 'jlens help COMMAND' (or 'jlens COMMAND --help') for a command's options."},
        versionProvider = JlensCommand.Version.class)
public final class JlensCommand implements Callable<Integer> {
    /** The subcommands, in the order the usage lists them. */
    static final List<Class<?>> SUBCOMMANDS = List.of(TokenizeCommand.class, TestPromptCommand.class, CacheCommand.class, GenerateCommand.class,
            AnalyzeCommand.class, ReportCommand.class, ServeCommand.class, ModelsCommand.class, DownloadCommand.class,
            BenchCommand.class, MakeRandomModelCommand.class, LauncherCommands.Jshell.class, LauncherCommands.Run.class, SaeCommand.class,
            DatasetCommand.class, BatchCommand.class, SqlCommand.class, EvalCommand.class, ActivationsCommand.class, TopActivationsCommand.class,
            KernelCommand.class, NotebookCommand.class, CommandLine.HelpCommand.class);

    final Main.Streams streams;

    @Spec
    CommandSpec spec;

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Print stack traces of errors.")
    boolean debug;

    JlensCommand(Main.Streams streams) {
        this.streams = streams;
    }

    /** The whole command line, every subcommand in it (for the usage, help and the guesses at a mistyped command). */
    static CommandLine commandLine(Main.Streams streams) {
        CommandLine cli = new CommandLine(new JlensCommand(streams));
        for (Class<?> c : SUBCOMMANDS) cli.addSubcommand(c);
        return cli;
    }

    /**
     * The command line for {@code args}: when they start with a subcommand's name, only that subcommand is built.
     * picocli reads every option of every command it is given, by reflection, before it parses anything; with
     * twenty commands that took a cold JVM a third of a second, more than some commands' whole work.
     */
    static CommandLine commandLine(Main.Streams streams, String[] args) {
        Class<?> named = args.length == 0 ? null : SUBCOMMANDS.stream()
                .filter(c -> c != CommandLine.HelpCommand.class && c.getAnnotation(Command.class).name().equals(args[0]))
                .findFirst().orElse(null);
        if (named == null) return commandLine(streams);
        CommandLine cli = new CommandLine(new JlensCommand(streams));
        cli.addSubcommand(named);
        return cli;
    }

    /** A bare {@code jlens} is a command line without a command: the usage goes to stderr, as an error would. */
    @Override
    public Integer call() {
        spec.commandLine().usage(streams.err());
        return 2;
    }

    static final class Version implements picocli.CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = JlensCommand.class.getResourceAsStream("/dev/jlens/version.properties")) {
                if (in != null) p.load(in);
            }
            return new String[] {"jlens " + p.getProperty("version", "unknown")};
        }
    }
}
