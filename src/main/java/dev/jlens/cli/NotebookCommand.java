package dev.jlens.cli;

import dev.jlens.JlensException;
import dev.jlens.kernel.KernelSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code jlens notebook}: Jupyter's notebook server with jlens' kernel registered, until it is stopped. */
@Command(name = "notebook", mixinStandardHelpOptions = true,
        description = {"Start Jupyter Notebook in DIR with the \"" + KernelSpec.DISPLAY_NAME + "\" kernel (installed for this user first).",
                "Options jlens does not know go to Jupyter: e.g. --no-browser, --port 8899, --allow-root (Jupyter refuses root without it)."})
final class NotebookCommand extends JlensSubcommand implements Callable<Integer> {
    static final String JUPYTER = "jupyter-notebook";

    @Parameters(arity = "0..1", paramLabel = "DIR", description = "The folder of notebooks (default: the current one).")
    Path dir = Path.of(".");

    @Unmatched
    List<String> jupyterOptions = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Path jupyter = onPath(JUPYTER, streams().env().get("PATH"));
        if (jupyter == null) {
            throw new JlensException(JUPYTER + ": not installed; install Jupyter (Debian: apt-get install -y jupyter-notebook) and run jlens notebook again");
        }
        if (!Files.isDirectory(dir)) throw new JlensException(dir + ": not a folder");
        Path kernel = KernelSpec.install(KernelSpec.userKernels(streams().env()));
        streams().err().println("jlens: kernel \"" + KernelSpec.DISPLAY_NAME + "\" installed in " + kernel + "; starting Jupyter (Ctrl-C stops it)");
        List<String> command = new ArrayList<>(List.of(jupyter.toString(), "--notebook-dir=" + dir.toAbsolutePath().normalize()));
        command.addAll(jupyterOptions);
        ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
        pb.environment().clear();
        pb.environment().putAll(streams().env());
        // Ctrl-C reaches both through the terminal; a SIGTERM to jlens alone must not leave Jupyter running, also when
        // it comes while Jupyter is being started: the hook is in place first, and a stop that came first prevents the start.
        StoppableChild child = new StoppableChild();
        Thread stopJupyter = new Thread(child::stop, "jlens-notebook-stop-jupyter");
        Runtime.getRuntime().addShutdownHook(stopJupyter);
        try {
            return child.start(pb).waitFor();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(stopJupyter);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting; the hook runs anyway
            }
        }
    }

    /** A child process that a stop, from another thread, ends whether it comes before, during or after the start. */
    private static final class StoppableChild {
        private Process process;
        private boolean stopped;

        synchronized Process start(ProcessBuilder pb) throws java.io.IOException {
            if (stopped) throw new JlensException("stopped before Jupyter started");
            return process = pb.start();
        }

        void stop() {
            Process p;
            synchronized (this) {
                stopped = true;
                p = process;
            }
            if (p == null) return;
            p.destroy();
            try {
                p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The executable {@code name} in one of PATH's folders, or null. */
    static Path onPath(String name, String path) {
        if (path == null) return null;
        for (String folder : path.split(File.pathSeparator)) {
            if (folder.isEmpty()) continue;
            Path p = Path.of(folder, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) return p;
        }
        return null;
    }
}
