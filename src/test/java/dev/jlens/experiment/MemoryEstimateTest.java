package dev.jlens.experiment;

import dev.jlens.patching.PatchKind;

import dev.jlens.Fixtures;
import dev.jlens.model.ActivationFunction;
import dev.jlens.model.ModelConfig;
import dev.jlens.model.NormalizationType;
import dev.jlens.model.PositionalEmbeddingType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The memory an analysis will hold, estimated from the sizes alone, and the refusal that names it. */
class MemoryEstimateTest {
    private static final ModelConfig TINY = Fixtures.model("a").cfg();
    private static final ModelConfig GPT2_SMALL = new ModelConfig("gpt2-small", "GPT2LMHeadModel", 768, 12, 64, 12, 3072, 12, 1024, 50257, 50257, 1e-5f,
            ActivationFunction.GELU_NEW, NormalizationType.LN_PRE, PositionalEmbeddingType.STANDARD, false, false, 8f, true, dev.jlens.hooks.HookFlags.NONE);

    @Test
    void theLogitsAndTheCacheDominate() {
        MemoryEstimate e = MemoryEstimate.ofAnalysis(GPT2_SMALL, 8, 15, false, List.of());
        long logits = 4L * 8 * 15 * 50257;
        long residualsPerLayer = 4L * 8 * 15 * 11 * 768;
        assertThat(e.bytes()).isGreaterThan(logits + 12 * residualsPerLayer).isLessThan(3 * (logits + 12 * residualsPerLayer));
        assertThat(e.largestTensor()).isEqualTo(8L * 15 * 50257);
    }

    /** The cache a clean run keeps, counted from its tensors on every architecture (gated MLP, grouped keys, rotary, post norms). */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"tiny-gpt2-a", "tiny-neox-a", "tiny-lm-rms-a", "tiny-gm2-a"})
    void theCachesSizeIsEveryCachedValue(String fixture) {
        dev.jlens.model.HookedTransformer model = fixture.equals("tiny-gpt2-a") ? Fixtures.model("a") : dev.jlens.ArchFixtures.model(fixture);
        dev.jlens.tensor.IntTensor tokens = model.toTokens(List.of("The cat sat on the mat", "A dog ran in the park"));
        dev.jlens.cache.ActivationCache cache = model.runWithCache(tokens).cache();
        long cached = 0;
        for (String key : cache.keys()) cached += cache.get(key).size();
        assertThat((long) MemoryEstimate.cacheFloats(model.cfg(), tokens.shape(0), tokens.shape(1))).as(fixture).isEqualTo(cached);
    }

    @Test
    void growsWithPromptsLinearlyAndWithLengthFasterThanLinearly() {
        long one = MemoryEstimate.ofAnalysis(GPT2_SMALL, 1, 512, true, List.of(PatchKind.RESID_PRE)).bytes();
        long two = MemoryEstimate.ofAnalysis(GPT2_SMALL, 2, 512, true, List.of(PatchKind.RESID_PRE)).bytes();
        long twiceAsLong = MemoryEstimate.ofAnalysis(GPT2_SMALL, 1, 1024, true, List.of(PatchKind.RESID_PRE)).bytes();
        assertThat(two).isBetween(2 * one - (one / 2), 2 * one);   // the engine's fixed buffers do not double
        assertThat(twiceAsLong).isGreaterThan(2 * one);             // attention patterns grow with the square
    }

    @Test
    void patchingAddsTheCorruptedRunAndTheSweeps() {
        long clean = MemoryEstimate.ofAnalysis(TINY, 1, 15, false, List.of()).bytes();
        long corrupted = MemoryEstimate.ofAnalysis(TINY, 1, 15, true, List.of()).bytes();
        long patched = MemoryEstimate.ofAnalysis(TINY, 1, 15, true, List.of(PatchKind.ATTN_HEAD_PATTERN_DEST_SRC_POS)).bytes();
        assertThat(clean).isLessThan(corrupted);
        assertThat(corrupted).isLessThan(patched);
    }

    @Test
    void aFittingAnalysisPasses() {
        MemoryEstimate.ofAnalysis(TINY, 1, 15, true, List.of(PatchKind.RESID_PRE)).requireFits("E.json", 1L << 30, 1L << 30);
    }

    @Test
    void tooLargeForWhatIsFreeSaysTheEstimateAndTheHeap() {
        MemoryEstimate e = MemoryEstimate.ofAnalysis(GPT2_SMALL, 16, 1000, false, List.of());
        assertThatThrownBy(() -> e.requireFits("E.json", 3L << 30, 4L << 30)).isInstanceOf(MemoryEstimate.TooLarge.class)
                .hasMessageMatching("E\\.json: the analysis of 16 prompts of 1000 tokens needs about \\d+\\.\\d GB of memory but only 3\\.0 GB "
                        + "of the 4\\.0 GB heap is free; use fewer or shorter prompts, or give the JVM more \\(JLENS_JAVA_OPTS=-Xmx<size>\\)");
    }

    @Test
    void aTensorBeyondAJavaArrayIsRefusedWhateverTheHeap() {
        MemoryEstimate e = MemoryEstimate.ofAnalysis(GPT2_SMALL, 100_000, 1024, false, List.of());
        assertThatThrownBy(() -> e.requireFits("request", Long.MAX_VALUE, Long.MAX_VALUE)).isInstanceOf(MemoryEstimate.TooLarge.class)
                .hasMessage("request: the analysis of 100000 prompts of 1024 tokens needs the logits [100000, 1024, 50257], "
                        + "5146316800000 values, more than one tensor can hold (2^31 - 1); use fewer or shorter prompts");
    }

    @Test
    void sizesReadAsPeopleWriteThem() {
        assertThat(MemoryEstimate.size(512)).isEqualTo("512 B");
        assertThat(MemoryEstimate.size(3L << 30)).isEqualTo("3.0 GB");
        assertThat(MemoryEstimate.size(Long.MAX_VALUE)).isEqualTo("more than 8 EB");
    }
}
