package dev.jlens.patching;

import dev.jlens.Fixtures;
import dev.jlens.analysis.GradientMetrics;
import dev.jlens.cache.ActivationCache;
import dev.jlens.model.CacheOptions;
import dev.jlens.model.HookedTransformer;
import dev.jlens.model.LogitMetric;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The kinds without a reference (q, k, v by and over positions, the pattern by destination and by both
 * positions, the stacked by-position kind) against sums written out here from the clean cache and the
 * corrupted run's gradient cache, and against each other.
 */
class AttributionConsistencyTest {
    @Test
    void kindsWithoutAReferenceEqualTheirSumsWrittenOut() {
        HookedTransformer model = Fixtures.model("a");
        JsonNode c = Fixtures.reference("a").get("cases").get("ioi");
        IntTensor clean = AttributionParityTest.tokens(c.get("tokens")), corrupted = AttributionParityTest.tokens(c.get("corrupted_tokens"));
        IntTensor answers = AttributionParityTest.tokens(c.get("answer_tokens"));
        LogitMetric metric = GradientMetrics.logitDiff(answers);
        Attribution a = Attribution.of(model, clean, corrupted, metric);
        ActivationCache cleanCache = model.runWithCache(clean).cache();
        ActivationCache corr = model.runWithCache(corrupted, CacheOptions.ALL.withInclBwd(metric)).cache();
        int layers = model.cfg().nLayers(), heads = model.cfg().nHeads(), batch = clean.shape(0), pos = clean.shape(1), e = model.cfg().dHead();
        for (String site : new String[] {"q", "k", "v"}) {
            Tensor byPos = PatchKind.byId("attn_head_" + site + "_by_pos").orElseThrow().attribute(a);
            Tensor allPos = PatchKind.byId("attn_head_" + site + "_all_pos").orElseThrow().attribute(a);
            assertThat(byPos.shape()).containsExactly(layers, pos, heads);
            for (int l = 0; l < layers; l++) {
                String hook = "blocks." + l + ".attn.hook_" + site;
                float[] x1 = cleanCache.get(hook).toArray(), x0 = corr.get(hook).toArray(), g = corr.get(hook + "_grad").toArray();
                for (int h = 0; h < heads; h++) {
                    double total = 0;
                    for (int p = 0; p < pos; p++) {
                        double s = 0;
                        for (int b = 0; b < batch; b++) for (int i = 0; i < e; i++) {
                            int at = ((b * pos + p) * heads + h) * e + i;
                            s += (double) (x1[at] - x0[at]) * g[at];
                        }
                        assertClose(hook + " pos " + p + " head " + h, byPos.item(l, p, h), s);
                        total += s;
                    }
                    assertClose(hook + " head " + h, allPos.item(l, h), total);
                }
            }
        }
        Tensor destSrc = PatchKind.ATTN_HEAD_PATTERN_DEST_SRC_POS.attribute(a), byDest = PatchKind.ATTN_HEAD_PATTERN_BY_POS.attribute(a);
        Tensor all = PatchKind.ATTN_HEAD_PATTERN_ALL_POS.attribute(a);
        assertThat(destSrc.shape()).containsExactly(layers, heads, pos, pos);
        for (int l = 0; l < layers; l++) for (int h = 0; h < heads; h++) {
            double total = 0;
            for (int d = 0; d < pos; d++) {
                double s = 0;
                for (int src = 0; src < pos; src++) s += destSrc.item(l, h, d, src);
                assertClose("pattern " + l + "." + h + " dest " + d, byDest.item(l, h, d), s);
                total += s;
            }
            assertClose("pattern " + l + "." + h, all.item(l, h), total);
        }
        Tensor neurons = a.neuronsByPos(), overPositions = a.neurons();
        assertThat(neurons.shape()).containsExactly(layers, pos, model.cfg().dMlp());
        for (int l = 0; l < layers; l++) {
            String hook = "blocks." + l + ".mlp.hook_post";
            float[] x1 = cleanCache.get(hook).toArray(), x0 = corr.get(hook).toArray(), g = corr.get(hook + "_grad").toArray();
            int m = model.cfg().dMlp();
            for (int n = 0; n < m; n += 37) {
                double total = 0;
                for (int p = 0; p < pos; p++) {
                    double s = 0;
                    for (int b = 0; b < batch; b++) s += (double) (x1[(b * pos + p) * m + n] - x0[(b * pos + p) * m + n]) * g[(b * pos + p) * m + n];
                    assertClose(hook + " pos " + p + " neuron " + n, neurons.item(l, p, n), s);
                    total += s;
                }
                assertClose(hook + " neuron " + n, overPositions.item(l, n), total);
            }
        }
        Tensor every = PatchKind.ATTN_HEAD_BY_POS_EVERY.attribute(a);
        assertThat(every.shape()).containsExactly(5, layers, pos, heads);
        for (int l = 0; l < layers; l++) for (int p = 0; p < pos; p++) for (int h = 0; h < heads; h++) {
            assertThat(every.item(1, l, p, h)).isEqualTo(PatchKind.ATTN_HEAD_Q_BY_POS.attribute(a).item(l, p, h));
            assertThat(every.item(4, l, p, h)).isEqualTo(byDest.item(l, h, p));
        }
    }

    private static void assertClose(String what, double actual, double expected) {
        assertThat(actual).as(what).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-5 + 1e-4 * Math.abs(expected)));
    }
}
