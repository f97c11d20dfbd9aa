package dev.jlens.bench;

import dev.jlens.tensor.Kernels;
import dev.jlens.tensor.PackedMatrix;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * JMH benchmarks of the kernels on GPT-2-small shapes. Run (after {@code ./mvn-jdk25 test-compile}):
 * <pre>
 * java --add-modules jdk.incubator.vector -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
 *     org.openjdk.jmh.Main KernelBenchmarks
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class KernelBenchmarks {
    /** Rows of the left operand: positions of a prompt. */
    @Param({"1", "38", "128"})
    public int rows;

    private PackedMatrix qkv, mlpIn, mlpOut, unembed;
    private float[] x768, x3072, out, scores, q, k, v, z, hidden;

    @Setup
    public void setUp() {
        Random r = new Random(0);
        qkv = PackedMatrix.pack(random(r, 768 * 2304), 0, 768, 2304);
        mlpIn = PackedMatrix.pack(random(r, 768 * 3072), 0, 768, 3072);
        mlpOut = PackedMatrix.pack(random(r, 3072 * 768), 0, 3072, 768);
        unembed = PackedMatrix.pack(random(r, 768 * 50257), 0, 768, 50257);
        x768 = random(r, rows * 768);
        x3072 = random(r, rows * 3072);
        out = new float[rows * 50257];
        hidden = random(r, rows * 3072);
        q = random(r, rows * 64);
        k = random(r, rows * 64);
        v = random(r, rows * 64);
        z = new float[rows * 64];
        scores = new float[rows * rows];
    }

    private static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }

    @Benchmark
    public float[] qkvProduct() {
        qkv.multiply(x768, 0, rows, null, out, 0);
        return out;
    }

    @Benchmark
    public float[] mlp() {
        mlpIn.multiply(x768, 0, rows, null, out, 0);
        mlpOut.multiply(x3072, 0, rows, null, out, 0);
        return out;
    }

    @Benchmark
    public float[] unembedding() {
        unembed.multiply(x768, 0, rows, null, out, 0);
        return out;
    }

    /** The backward of the MLP's two products: the gradient of their inputs. */
    @Benchmark
    public float[] mlpBackward() {
        mlpOut.multiplyTransposed(x768, 0, rows, out, 0);
        mlpIn.multiplyTransposed(x3072, 0, rows, out, 0);
        return out;
    }

    /** The backward of the unembedding (a metric on one position has one row). */
    @Benchmark
    public float[] unembeddingBackward() {
        unembed.multiplyTransposed(out, 0, rows, x768, 0);
        return x768;
    }

    @Benchmark
    public float[] geluNew() {
        Kernels.geluNew(hidden, 0, hidden.length);
        return hidden;
    }

    @Benchmark
    public float[] attentionHead() {
        Kernels.attentionScores(q, 0, 64, rows, 0, k, 0, 64, rows, 64, 8f, null, 0, scores, 0, rows);
        for (int t = 0; t < rows; t++) Kernels.softmax(scores, t * rows, rows);
        Kernels.attentionValues(scores, 0, rows, rows, rows, v, 0, 64, 64, z, 0, 64);
        return z;
    }
}
