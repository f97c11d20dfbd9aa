package dev.jlens.bench;

import dev.jlens.Fixtures;
import dev.jlens.hooks.Splice;
import dev.jlens.io.SafetensorsWriter;
import dev.jlens.model.CacheSettings;
import dev.jlens.model.HookedTransformer;
import dev.jlens.model.WeightProcessing;
import dev.jlens.sae.Sae;
import dev.jlens.sae.SaeSplice;
import dev.jlens.sae.Saes;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * What a spliced SAE of gpt2-small-res-jb's shape (24,576 features on d_model 768, standard ReLU, about 64 features
 * firing per position) costs against the block it sits in, on random gpt2-small-shaped models. The cost of one block is
 * (12-layer forward - 6-layer forward) / 6; the SAE's is the forward with it spliced in minus the plain forward, and
 * {@code saeAlone} calls it directly. Run (after {@code ./mvn-jdk25 test-compile}):
 * <pre>
 * java --add-modules jdk.incubator.vector -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
 *     org.openjdk.jmh.Main SaeBenchmarks
 * </pre>
 * On a machine shared with other work, wall time says little; {@link #main} measures the calling thread's CPU time
 * instead, single-threaded ({@code -Djlens.threads=1}), the variants interleaved, and prints medians:
 * <pre>
 * java --add-modules jdk.incubator.vector -Djlens.threads=1 -cp ... dev.jlens.bench.SaeBenchmarks [positions] [rounds]
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx6g"})
public class SaeBenchmarks {
    static final int D_SAE = 24576, D_MODEL = 768, FIRING = 64;

    /** Positions of the prompt (batch 1). */
    @Param({"38", "128"})
    public int positions;

    private Path dir;
    private HookedTransformer model12, model6, spliced, splicedWithError;
    private IntTensor tokens;
    private Splice splice;
    private Tensor resid;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("sae-bench");
        CacheSettings noCache = new CacheSettings(Optional.empty(), 0, line -> {});
        RandomGpt2.write(dir.resolve("m12"), 12, 12, D_MODEL, 1, Fixtures.modelDir("a"));
        RandomGpt2.write(dir.resolve("m6"), 6, 12, D_MODEL, 1, Fixtures.modelDir("a"));
        model12 = HookedTransformer.fromFolder(dir.resolve("m12"), "m12", WeightProcessing.Options.DEFAULT, noCache);
        model6 = HookedTransformer.fromFolder(dir.resolve("m6"), "m6", WeightProcessing.Options.DEFAULT, noCache);
        int[] ids = new int[positions];
        Random r = new Random(2);
        for (int i = 0; i < positions; i++) ids[i] = r.nextInt(50257);
        tokens = IntTensor.of(ids, 1, positions);
        String hook = "blocks.6.hook_resid_pre";
        resid = model12.runWithCache(tokens).cache().get(hook);
        Sae sae = writeRandomSae(dir.resolve("sae"), hook, resid);
        spliced = Saes.withSaes(model12, false, sae);
        splicedWithError = Saes.withSaes(model12, true, sae);
        splice = new SaeSplice(sae, false);
    }

    /**
     * A standard SAE in SAELens' layout: unit decoder rows, W_enc = W_dec^T, and one encoder bias chosen on this
     * residual so that about {@link #FIRING} features fire per position (gpt2-small-res-jb's L0 is of that order).
     */
    static Sae writeRandomSae(Path folder, String hook, Tensor calibration) throws IOException {
        Random r = new Random(3);
        float[] wDec = new float[D_SAE * D_MODEL], wEnc = new float[D_MODEL * D_SAE];
        for (int j = 0; j < D_SAE; j++) {
            double sq = 0;
            for (int c = 0; c < D_MODEL; c++) {
                float v = (float) r.nextGaussian();
                wDec[j * D_MODEL + c] = v;
                sq += v * v;
            }
            float norm = (float) Math.sqrt(sq);
            for (int c = 0; c < D_MODEL; c++) {
                wDec[j * D_MODEL + c] /= norm;
                wEnc[c * D_SAE + j] = wDec[j * D_MODEL + c];
            }
        }
        float[] pre = calibration.reshape(-1, D_MODEL).matmul(Tensor.of(wEnc, D_MODEL, D_SAE)).toArray();
        Arrays.sort(pre);
        float cut = pre[pre.length - 1 - (int) ((long) FIRING * pre.length / D_SAE)];
        float[] bEnc = new float[D_SAE];
        Arrays.fill(bEnc, -cut);
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("cfg.json"), "{\"d_in\": 768, \"d_sae\": 24576, \"dtype\": \"float32\", \"apply_b_dec_to_input\": false, "
                + "\"architecture\": \"standard\", \"metadata\": {\"sae_lens_version\": \"6.18.0\", \"hook_name\": \"" + hook + "\"}}");
        LinkedHashMap<String, SafetensorsWriter.Tensor> t = new LinkedHashMap<>();
        t.put("W_enc", new SafetensorsWriter.Tensor(new long[]{D_MODEL, D_SAE}, wEnc));
        t.put("W_dec", new SafetensorsWriter.Tensor(new long[]{D_SAE, D_MODEL}, wDec));
        t.put("b_enc", new SafetensorsWriter.Tensor(new long[]{D_SAE}, bEnc));
        t.put("b_dec", new SafetensorsWriter.Tensor(new long[]{D_MODEL}, new float[D_MODEL]));
        SafetensorsWriter.write(folder.resolve("sae_weights.safetensors"), t, Map.of("format", "pt"));
        return Sae.load(folder);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    @Benchmark
    public Tensor forward12Layers() {
        return model12.forward(tokens);
    }

    @Benchmark
    public Tensor forward6Layers() {
        return model6.forward(tokens);
    }

    @Benchmark
    public Tensor forward12LayersWithSae() {
        return spliced.forward(tokens);
    }

    @Benchmark
    public Tensor forward12LayersWithSaeAndErrorTerm() {
        return splicedWithError.forward(tokens);
    }

    @Benchmark
    public Tensor saeAlone() {
        return splice.apply(resid, (child, a) -> a);
    }

    public static void main(String[] args) throws IOException {
        SaeBenchmarks b = new SaeBenchmarks();
        b.positions = args.length > 0 ? Integer.parseInt(args[0]) : 38;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        b.setUp();
        try {
            java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
            String[] names = {"forward12Layers", "forward6Layers", "forward12LayersWithSae", "forward12LayersWithSaeAndErrorTerm", "saeAlone"};
            Runnable[] runs = {b::forward12Layers, b::forward6Layers, b::forward12LayersWithSae, b::forward12LayersWithSaeAndErrorTerm, b::saeAlone};
            double[][] ms = new double[runs.length][rounds];
            for (int round = -3; round < rounds; round++) {  // three rounds of warm-up
                for (int i = 0; i < runs.length; i++) {
                    long t0 = cpu.getCurrentThreadCpuTime();
                    runs[i].run();
                    if (round >= 0) ms[i][round] = (cpu.getCurrentThreadCpuTime() - t0) / 1e6;
                }
            }
            double[] median = new double[runs.length];
            for (int i = 0; i < runs.length; i++) {
                Arrays.sort(ms[i]);
                median[i] = ms[i][rounds / 2];
                System.out.printf(java.util.Locale.ROOT, "%-36s %9.2f ms CPU (median of %d; min %.2f, max %.2f)%n", names[i], median[i], rounds, ms[i][0], ms[i][rounds - 1]);
            }
            double block = (median[0] - median[1]) / 6;
            System.out.printf(java.util.Locale.ROOT, "positions %d: one block %.2f ms; SAE spliced %.2f ms (%.2f blocks), with error term %.2f ms, alone %.2f ms (%.2f blocks)%n",
                    b.positions, block, median[2] - median[0], (median[2] - median[0]) / block, median[3] - median[0], median[4], median[4] / block);
        } finally {
            b.tearDown();
        }
    }
}
