package dev.jlens.kernel;

import org.dflib.jjava.jupyter.channels.JupyterConnection;
import org.dflib.jjava.jupyter.kernel.KernelConnectionProperties;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The kernel process Jupyter starts (the kernelspec's argv): connects to the ports of the connection file Jupyter
 * wrote and serves cells until Jupyter asks it to shut down.
 */
public final class KernelMain {
    private KernelMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("jlens kernel: expected one argument, the connection file Jupyter wrote");
            System.exit(2);
        }
        KernelConnectionProperties connection = KernelConnectionProperties.parse(Files.readString(Path.of(args[0])));
        JlensKernel kernel = new JlensKernel(System.getProperty("java.class.path"));
        JupyterConnection jupyter = new JupyterConnection(connection);
        kernel.becomeHandlerForConnection(jupyter);
        jupyter.connect();
        kernel.onStartup();
        jupyter.waitUntilClose();
        // the cells' threads (a model's pools) must not keep the process alive once Jupyter has let it go
        System.exit(0);
    }
}
