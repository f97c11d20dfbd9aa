package dev.jlens.cli;

import dev.jlens.JlensException;
import dev.jlens.model.HookedTransformer;
import dev.jlens.server.JlensServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** {@code jlens serve}: the local web UI on one loaded model, until interrupted. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve a local web UI to run the analyses and patching on typed prompts and see the figures.")
final class ServeCommand extends ModelCommand {
    @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}, this machine only).")
    String host;

    @Option(names = "--allow-host", paramLabel = "NAME",
            description = "A host name the web UI answers besides localhost (and, off loopback, this machine's addresses): "
                    + "the name other machines reach it by. Repeatable. Requests for any other name are refused (DNS rebinding).")
    List<String> allowHosts = new ArrayList<>();

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "7860", description = "Port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    /** Spliced into every analysis; the reports then have a section on their features. */
    @Mixin
    SaeSplicing saes;

    @Override
    public void run() {
        if (port < 0 || port > 65535) throw new JlensException("--port must be between 0 and 65535 (0 picks a free one), got " + port);
        InetAddress address = ownAddress(host);
        for (String name : allowHosts) {
            if (!JlensServer.isHostName(name)) {
                throw new JlensException("--allow-host '" + name + "' is not a host name; give a bare name such as jlens.lab.example (no scheme, port or path)");
            }
        }
        saes.check();
        HookedTransformer m = loadModel();
        m = saes.splice(streams(), m);
        JlensServer server = JlensServer.builder(m).host(host).allowHosts(allowHosts).port(port).modelName(model.model).log(streams().err()).start();
        // Warned once listening, so that a server that could not start answers with its one line only.
        if (!address.isLoopbackAddress()) {
            streams().err().println("jlens: warning: listening on " + host + " makes the web UI (which has no login) reachable from other machines");
        }
        Thread onExit = new Thread(server::close, "jlens-serve-shutdown");
        Runtime.getRuntime().addShutdownHook(onExit);
        try {
            streams().out().println("jlens: serving " + model.model + " at " + server.uri() + " (Ctrl-C stops)");
            streams().out().flush();
            new CountDownLatch(1).await();   // until the JVM exits (Ctrl-C) or this thread is interrupted
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            server.close();
            try {
                Runtime.getRuntime().removeShutdownHook(onExit);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting; the hook runs anyway
            }
        }
    }

    /**
     * What {@code --host} names, checked before the model loads: a name that does not resolve, or an address of
     * another machine, could never be listened on, and the bind error ("Cannot assign requested address") would not
     * say which option is wrong.
     */
    static InetAddress ownAddress(String host) {
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new JlensException("--host '" + host + "' is not a known host name or address");
        }
        try {
            if (address.isAnyLocalAddress() || address.isLoopbackAddress() || NetworkInterface.getByInetAddress(address) != null) return address;
        } catch (SocketException e) {
            // no interface list to check against: let the bind decide
            return address;
        }
        throw new JlensException("--host " + host + " is not an address of this machine; give one of its own, 127.0.0.1 (the default) or 0.0.0.0 (all)");
    }
}
