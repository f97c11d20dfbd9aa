package dev.jlens.model;

import dev.jlens.Fixtures;
import dev.jlens.JlensException;
import dev.jlens.analysis.GradientMetrics;
import dev.jlens.cache.ActivationCache;
import dev.jlens.hooks.Hook;
import dev.jlens.hooks.Splice;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The backward pass through spliced modules, with a module whose forward is the identity and whose backward doubles the
 * gradient and fires a child hook point: everything before it gets twice the plain model's gradient, the host's backward
 * hook sees the module's input gradient, the child's sees the output gradient; a module without a backward is refused.
 */
class SpliceGradientTest {
    private static final String HOST = "blocks.1.hook_resid_pre";
    private final HookedTransformer plain = Fixtures.model("a");
    private final IntTensor tokens = GradientHooksTest.petTokens("a");
    private final LogitMetric metric = GradientMetrics.logitDiff(GradientHooksTest.petAnswers("a"));

    /** Identity forward; backward 2 g, with g seen by the child point {@code hook_seen}. */
    private static final class Doubling implements Splice {
        @Override
        public String hookName() {
            return HOST;
        }

        @Override
        public List<String> childHookPoints() {
            return List.of("hook_seen");
        }

        @Override
        public Tensor apply(Tensor activation, ChildHooks hooks) {
            return hooks.fire("hook_seen", activation.copy());
        }

        @Override
        public Traced trace(Tensor activation, ChildHooks hooks) {
            return new Traced(apply(activation, hooks), (g, gradients) -> gradients.fire("hook_seen", g).mul(2f));
        }
    }

    @Test
    void theGradientBeforeAModuleIsItsBackwardOfTheGradientAfterIt() {
        CacheOptions options = CacheOptions.ALL.withRemoveBatchDim(true).withInclBwd(metric);
        ActivationCache expected = plain.runWithCache(tokens, options).cache();
        ActivationCache got = plain.withSplice(new Doubling()).runWithCache(tokens, options).cache();
        for (String name : List.of("blocks.0.hook_resid_pre", "blocks.0.attn.hook_z", "hook_embed")) {
            Fixtures.assertClose(name, got.get(name + "_grad"), expected.get(name + "_grad").mul(2f));
        }
        Fixtures.assertClose("host", got.get(HOST + "_grad"), expected.get(HOST + "_grad").mul(2f));
        Fixtures.assertClose("child", got.get(HOST + ".hook_seen_grad"), expected.get(HOST + "_grad"));
        Fixtures.assertClose("after the module", got.get("blocks.1.hook_resid_mid_grad"), expected.get("blocks.1.hook_resid_mid_grad"));
    }

    @Test
    void aSpliceWithoutABackwardIsRefusedInOneLine() {
        Splice forwardOnly = new Splice() {
            @Override
            public String hookName() {
                return "blocks.0.hook_resid_pre";
            }

            @Override
            public List<String> childHookPoints() {
                return List.of();
            }

            @Override
            public Tensor apply(Tensor activation, ChildHooks hooks) {
                return activation;
            }
        };
        assertThatThrownBy(() -> plain.withSplice(forwardOnly).runWithGradient(tokens, metric, List.<Hook>of()))
                .isInstanceOf(JlensException.class).hasMessage("gradients are not computed through the module spliced in at blocks.0.hook_resid_pre");
    }
}
