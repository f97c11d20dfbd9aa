package dev.jlens.tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Encode and decode speed on a ~1,250-token text (TransformerLens spec section 5), with the piece cache warm and with
 * no cache at all (every piece through BPE). Not a test: run {@link #main} with the test classpath.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class Gpt2TokenizerBenchmark {
    private Gpt2Tokenizer cached;
    private Gpt2Tokenizer uncached;
    private String text;
    private int[] ids;

    @Setup
    public void setUp() throws IOException {
        cached = TestFixtures.tokenizerA();
        uncached = cached.withCacheCapacity(0);
        text = Files.readString(TestFixtures.resource("tokenizer/bench-text.txt"));
        ids = cached.encode(text);
    }

    @Benchmark
    public int[] encodeWithWarmCache() {
        return cached.encode(text);
    }

    @Benchmark
    public int[] encodeWithoutCache() {
        return uncached.encode(text);
    }

    @Benchmark
    public String decode() {
        return cached.decode(ids);
    }

    public static void main(String[] args) throws RunnerException {
        new Runner(new OptionsBuilder().include(Gpt2TokenizerBenchmark.class.getSimpleName()).build()).run();
    }
}
