package dev.jlens.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.concurrent.Callable;

/** The top-level {@code jlens} command: global options and the list of subcommands. */
@Command(name = "jlens",
        description = "Mechanistic interpretability for GPT-2 on the JVM, number for number with TransformerLens.",
        mixinStandardHelpOptions = true,
        footer = {"", "Run 'jlens help COMMAND' (or 'jlens COMMAND --help') for a command's options."},
        versionProvider = JlensCommand.Version.class,
        subcommands = {TokenizeCommand.class, TestPromptCommand.class, CacheCommand.class, GenerateCommand.class,
                AnalyzeCommand.class, ReportCommand.class, ServeCommand.class, ModelsCommand.class, DownloadCommand.class,
                BenchCommand.class, MakeRandomModelCommand.class, LauncherCommands.Jshell.class, LauncherCommands.Run.class, SaeCommand.class,
                DatasetCommand.class, BatchCommand.class, SqlCommand.class, EvalCommand.class, ActivationsCommand.class, TopActivationsCommand.class, KernelCommand.class, NotebookCommand.class,
                CommandLine.HelpCommand.class})
public final class JlensCommand implements Callable<Integer> {
    final Main.Streams streams;

    @Spec
    CommandSpec spec;

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Print stack traces of errors.")
    boolean debug;

    JlensCommand(Main.Streams streams) {
        this.streams = streams;
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
