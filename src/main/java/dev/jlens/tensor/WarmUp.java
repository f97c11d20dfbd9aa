package dev.jlens.tensor;

/**
 * Gets the kernels compiled before the first forward pass needs them. Vector API code is fast only once C2
 * has compiled it; interpreted, every vector operation allocates, which made a CLI run's first forward pass
 * ten times slower than the next. The command line starts this on a background thread as the JVM starts
 * (the start-up is single-threaded, so a core is idle), calling each kernel on tiny inputs often enough for
 * the JIT to compile it; the first forward pass stops it, since from then on the real calls do the same.
 * Whether it runs is the program's to say: the command line's {@code -Djlens.noWarmUp}, a library caller's
 * runtime ({@code JlensRuntime.warmUp}).
 */
public final class WarmUp {
    private static volatile boolean started, stopRequested;
    /**
     * Time after which the warm-up gives up: on an idle machine the kernels are compiled well within it, and on
     * a busy one (a first load converting weights on every core) the warm-up would only take a core from it.
     */
    private static final long MAX_NANOS = 700_000_000L;

    private WarmUp() {}

    /** Starts the warm-up once per process, on a daemon thread. */
    public static synchronized void startInBackground() {
        if (started) return;
        started = true;
        Thread.ofPlatform().name("jlens-kernel-warmup").daemon().start(WarmUp::runQuietly);
    }

    /** Warming up only saves time: if it fails (out of memory on a small heap), the run goes on without a word. */
    private static void runQuietly() {
        try {
            run();
        } catch (Throwable ignored) {
            // the forward pass compiles the kernels itself, later
        }
    }

    /** Ends the warm-up at its next round: the caller is about to run the kernels for real. */
    public static void stop() {
        stopRequested = true;
    }

    static void run() {
        // rows: a product of few rows (a prompt's forward pass) and one of many (a patching sweep's batch),
        // which take different paths through the matrix kernel
        int l = Kernels.L, k = 8, rows = 4, manyRows = 100;
        float[] a = new float[manyRows * k], b = new float[k * PackedMatrix.PANEL], c = new float[manyRows * PackedMatrix.PANEL];
        float[] bias = new float[PackedMatrix.PANEL];
        float[] x = new float[2 * l], scale = new float[2], scores = new float[2 * l * 2 * l], z = new float[2 * l * k];
        for (int i = 0; i < a.length; i++) a[i] = (float) Math.sin(i);
        for (int i = 0; i < b.length; i++) b[i] = (float) Math.cos(i);
        for (int i = 0; i < x.length; i++) x[i] = i * 0.1f - 1f;
        PackedMatrix m = PackedMatrix.pack(b, 0, k, PackedMatrix.PANEL);
        float[] keys = new float[2 * l * k];
        long batchStart = System.nanoTime(), deadline = batchStart + MAX_NANOS;
        for (int round = 0; round < 20_000 && !stopRequested && System.nanoTime() < deadline; round++) {
            // Stop once a batch of rounds runs as fast as compiled code does (a few microseconds a round).
            if (round % 256 == 255) {
                long now = System.nanoTime();
                if (now - batchStart < 256 * 5_000L) return;
                batchStart = now;
            }
            m.multiply(a, 0, rows, round % 2 == 0 ? bias : null, c, 0);
            if (round % 4 == 0) m.multiply(a, 0, manyRows, bias, c, 0);
            Kernels.geluNew(x, 0, x.length);
            Kernels.softmax(scores, 0, scores.length);
            Kernels.centerAndScale(x, 0, 2, l, 1e-5f, c, 0, scale, 0);
            Kernels.divide(c, 0, 2 * l, 1.5f);
            Kernels.add(x, 0, x, 0, c, 0, x.length);
            if (round % 8 == 0) {
                Kernels.attentionScores(a, 0, k, 2, 0, keys, 0, k, 2 * l, k, 2f, null, 0, scores, 0, 2 * l);
                Kernels.attentionValues(scores, 0, 2 * l, 2, 2 * l, keys, 0, k, k, z, 0, k);
            }
            for (int i = 0; i < x.length; i++) x[i] = (i + round % 7) * 0.1f - 1f;
        }
    }
}
