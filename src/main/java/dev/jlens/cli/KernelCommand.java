package dev.jlens.cli;

import dev.jlens.JlensException;
import dev.jlens.kernel.KernelSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

import java.nio.file.Files;
import java.nio.file.Path;

/** {@code jlens kernel}: the Jupyter kernel ({@code install} registers it with Jupyter). */
@Command(name = "kernel", mixinStandardHelpOptions = true,
        description = "The jlens Jupyter kernel: Java cells evaluated by JShell with jlens imported, figures shown inline.",
        subcommands = KernelCommand.Install.class)
final class KernelCommand extends JlensSubcommand implements Runnable {
    @Override
    public void run() {
        spec.commandLine().usage(streams().out());
    }

    @Command(name = "install", mixinStandardHelpOptions = true,
            description = "Register the kernel \"" + KernelSpec.DISPLAY_NAME + "\" with Jupyter (for this user unless --prefix).")
    static final class Install extends JlensSubcommand implements Runnable {
        @Option(names = "--user", description = "Into this user's Jupyter data folder (the default).")
        boolean user;

        @Option(names = "--prefix", paramLabel = "P", description = "Into P/share/jupyter/kernels (e.g. a virtual environment or a test's folder).")
        Path prefix;

        @Override
        public void run() {
            Main.Streams streams = streams();
            // picocli's own message for exclusive options starts with "Error:", unlike every other answer
            if (user && prefix != null) throw new ParameterException(spec.commandLine(), "--user and --prefix exclude each other; give one");
            if (prefix != null && Files.exists(prefix) && !Files.isDirectory(prefix)) {
                throw new JlensException(prefix + ": not a folder (--prefix names the folder Jupyter's share/jupyter is under)");
            }
            Path folder = KernelSpec.install(prefix != null ? KernelSpec.prefixKernels(prefix) : KernelSpec.userKernels(streams.env()));
            streams.out().println("jlens: installed the Jupyter kernel \"" + KernelSpec.DISPLAY_NAME + "\" in " + folder);
        }
    }
}
