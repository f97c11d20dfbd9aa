package dev.jlens.model;

import dev.jlens.ArchFixtures;
import dev.jlens.tensor.Index;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static dev.jlens.Fixtures.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Generation with the KV cache on GPT-NeoX, Llama and Gemma 2: rotary positions continue from the cached length,
 * grouped keys and values are cached per key/value head, and Gemma's local layer keeps its window once the sequence
 * is longer than it (64 positions). Expected values: the full forward pass over the same tokens.
 */
class ArchitectureGenerationTest {
    static List<String> fixtures() {
        return ArchFixtures.names();
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void generatingWithTheKvCacheEqualsGeneratingWithout(String name) {
        HookedTransformer model = ArchFixtures.model(name);
        IntTensor prompt = ArchFixtures.tokens(name, "tokens");
        GenerateOptions greedy = GenerateOptions.greedy(40).withStopAtEos(false);
        IntTensor withCache = model.generate(prompt, greedy);
        assertThat(withCache.shape()).containsExactly(1, prompt.shape(1) + 40);
        assertThat(withCache.toMatrix()).isDeepEqualTo(model.generate(prompt, greedy.withUseKvCache(false)).toMatrix());
        GenerateOptions sampling = GenerateOptions.sampling(20).withStopAtEos(false).withSeed(3);
        assertThat(model.generate(prompt, sampling).toMatrix()).isDeepEqualTo(model.generate(prompt, sampling.withUseKvCache(false)).toMatrix());
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void eachCachedStepGivesTheFullRunsLogitsPastTheLocalWindow(String name) {
        HookedTransformer model = ArchFixtures.model(name);
        IntTensor tokens = model.generate(ArchFixtures.tokens(name, "tokens"), GenerateOptions.greedy(40).withStopAtEos(false).withUseKvCache(false));
        int n = tokens.shape(1), prefix = 30;
        assertThat(n).isGreaterThan(64);
        Tensor full = model.forward(tokens);
        KvCache kv = new KvCache(model.cfg().nLayers(), 1, model.cfg().kvWidth(), n);
        Tensor first = model.run(IntTensor.of(new int[][] {java.util.Arrays.copyOf(tokens.row(0), prefix)}), ForwardOptions.LOGITS.withKvCache(kv)).logits();
        assertClose(name + " prefix", first, full.get(":", Index.range(0, prefix)));
        for (int p = prefix; p < n; p++) {
            Tensor step = model.run(IntTensor.of(new int[][] {{tokens.item(0, p)}}), ForwardOptions.LOGITS.withKvCache(kv)).logits();
            assertClose(name + " position " + p, step.get(0, 0), full.get(0, p));
        }
    }
}
