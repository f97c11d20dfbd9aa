package dev.jlens.model;

import dev.jlens.Fixtures;
import dev.jlens.cache.ActivationCache;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.jlens.Fixtures.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

/** Return types, attention masks and left padding, and the KV cache, checked against plain runs. */
class ForwardOptionsTest {
    private final HookedTransformer model = Fixtures.model("b");

    @Test
    void returnTypeNoneRunsLnFinalButNotTheUnembedding() {
        IntTensor tokens = model.toTokens("1 2 3 4");
        CachedRun run = model.runWithCache(tokens, CacheOptions.ALL.withForward(ForwardOptions.NONE));
        assertThat(run.logits()).isNull();
        assertThat(run.cache().keys()).contains("ln_final.hook_normalized").doesNotContain("unembed.hook_in", "unembed.hook_out");
    }

    @Test
    void bothGivesLogitsAndLoss() {
        IntTensor tokens = model.toTokens("1 2 3 4");
        ModelOutput out = model.run(tokens, ForwardOptions.BOTH);
        assertClose("logits", out.logits(), model.forward(tokens));
        assertClose("loss", out.loss().item(), model.loss(tokens));
    }

    @Test
    void leftPaddingWithAMaskGivesTheUnpaddedLogits() {
        IntTensor padded = model.toTokens(List.of("Hello", "Hello world, how are you today?"), true, true);
        IntTensor mask = model.tokenization().attentionMask(padded, true, true);
        assertThat(mask.row(0)[0]).isZero();
        Tensor logits = model.run(padded, ForwardOptions.LOGITS.withAttentionMask(mask)).logits();
        assertClose("short prompt, left padded", logits.get(0, -1), model.forward("Hello").get(0, -1));
        assertClose("long prompt", logits.get(1, -1), model.forward("Hello world, how are you today?").get(0, -1));
    }

    @Test
    void kvCacheRunsGiveTheSameLogitsAsAFullRun() {
        IntTensor tokens = model.toTokens("The quick brown fox jumps over the lazy dog");
        int n = tokens.shape(1);
        KvCache kv = new KvCache(model.cfg().nLayers(), 1, model.cfg().dModel(), n);
        IntTensor prefix = IntTensor.of(new int[][] {java.util.Arrays.copyOf(tokens.row(0), 5)});
        Tensor first = model.run(prefix, ForwardOptions.LOGITS.withKvCache(kv)).logits();
        Tensor full = model.forward(tokens);
        assertClose("prefix", first, full.get(":", dev.jlens.tensor.Index.range(0, 5)));
        for (int p = 5; p < n; p++) {
            IntTensor next = IntTensor.of(new int[][] {{tokens.item(0, p)}});
            Tensor step = model.run(next, ForwardOptions.LOGITS.withKvCache(kv)).logits();
            assertClose("position " + p, step.get(0, 0), full.get(0, p));
        }
        assertThat(kv.length()).isEqualTo(n);
    }

    @Test
    void removeBatchDimTakesElementZero() {
        ActivationCache withBatch = model.runWithCache(model.toTokens("1 2 3 4")).cache();
        ActivationCache without = withBatch.removeBatchDim();
        assertThat(without.get("blocks.0.hook_resid_pre").shape()).containsExactly(5, model.cfg().dModel());
        assertClose("same values", without.get("blocks.0.hook_resid_pre"), withBatch.get("blocks.0.hook_resid_pre").get(0));
    }
}
