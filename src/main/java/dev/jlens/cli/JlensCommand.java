package dev.jlens.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The top-level {@code jlens} command: global options and the list of subcommands. */
@Command(name = "jlens",
        description = "Mechanistic interpretability for GPT-2 on the JVM, number for number with TransformerLens.",
        mixinStandardHelpOptions = true,
        versionProvider = JlensCommand.Version.class,
        subcommands = {TokenizeCommand.class, TestPromptCommand.class, CacheCommand.class, GenerateCommand.class,
                AnalyzeCommand.class, ReportCommand.class, ServeCommand.class, ModelsCommand.class, DownloadCommand.class,
                BenchCommand.class, MakeRandomModelCommand.class, KernelCommand.class, NotebookCommand.class})
public final class JlensCommand implements Runnable {
    final Main.Streams streams;

    @Spec
    CommandSpec spec;

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Print stack traces of errors.")
    boolean debug;

    JlensCommand(Main.Streams streams) {
        this.streams = streams;
    }

    @Override
    public void run() {
        spec.commandLine().usage(streams.out());
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
