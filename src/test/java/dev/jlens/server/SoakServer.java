package dev.jlens.server;

import dev.jlens.Fixtures;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;

/**
 * A web server on fixture A in a JVM of its own, for {@link ServerSoakTest}: prints {@code port N} once listening,
 * then answers {@code heap} on stdin with {@code heap B}, the heap in use after a full collection, until stdin ends.
 * Each patching run is held up by {@code args[0]} milliseconds, as a real model's runs take time: a line of waiting
 * jobs forms, which the fixture alone would clear too fast.
 */
public final class SoakServer {
    /**
     * The served model's name, long on purpose: a storm request names it in its "model" field, so that each carries
     * 600 kB that the server accepts and keeps with the job.
     */
    static final String MODEL_NAME = "x".repeat(600_000);

    private SoakServer() {}

    public static void main(String[] args) throws Exception {
        long runMillis = Long.parseLong(args[0]);
        try (JlensServer server = JlensServer.builder(Fixtures.model("a")).port(0).modelName(MODEL_NAME)
                .log(new java.io.PrintStream(java.io.OutputStream.nullOutputStream())).progressObserver((done, total) -> {
            try {
                Thread.sleep(runMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }).start()) {
            System.out.println("port " + server.port());
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null; ) {
                if (line.equals("heap")) System.out.println("heap " + usedAfterCollection());
            }
        }
    }

    private static long usedAfterCollection() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
