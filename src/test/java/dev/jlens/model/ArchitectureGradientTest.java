package dev.jlens.model;

import dev.jlens.ArchFixtures;
import dev.jlens.analysis.GradientMetrics;
import dev.jlens.hooks.Hook;
import dev.jlens.hooks.HookFunction;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The backward pass of GPT-NeoX (parallel attention and MLP, partial rotary), Llama (RMSNorm, rotary,
 * grouped-query attention, gated SiLU MLP) and Gemma 2 (soft caps, norms after each sub-block, local
 * attention, gated GELU) against double-precision central differences, processed and unprocessed: the
 * gradient at every hook point of the last block and the others around it, at its largest entries and one more.
 */
class ArchitectureGradientTest {
    private static final double H = 1e-2;

    static Stream<Arguments> models() {
        List<Arguments> out = new ArrayList<>();
        for (String name : ArchFixtures.names()) for (boolean processed : new boolean[] {true, false}) out.add(Arguments.of(name, processed));
        out.add(Arguments.of(TIGHT_CAPS, true));
        return out.stream();
    }

    /** Gemma 2 with soft caps of 1 (its own 50 and 30 hardly bend this model's small scores and logits). */
    private static final String TIGHT_CAPS = "tiny-gm2-a with soft caps of 1";

    private static HookedTransformer tightlyCapped() {
        HookedTransformer m = ArchFixtures.model("tiny-gm2-a");
        ModelConfig c = m.cfg();
        ModelConfig.Variant v = c.variant();
        ModelConfig.Variant capped = new ModelConfig.Variant(v.rotaryDim(), v.rotaryBase(), v.rotaryAdjacentPairs(), v.ropeScaling(), 1f, 1f,
                v.normalizationBeforeAndAfter(), v.windowSize(), v.localLayers());
        ModelConfig cfg = new ModelConfig(c.modelName(), c.architecture(), c.dModel(), c.nHeads(), c.dHead(), c.nKeyValueHeads(), c.dMlp(), c.nLayers(),
                c.nCtx(), c.dVocab(), c.dVocabOut(), c.eps(), c.actFn(), c.normalizationType(), c.positionalEmbeddingType(), c.gatedMlp(),
                c.parallelAttnMlp(), c.attnScale(), c.defaultPrependBos(), c.hookFlags(), capped);
        return new HookedTransformer(cfg, m.weights(), m.tokenizer());
    }

    @ParameterizedTest(name = "{0} processed={1}")
    @MethodSource("models")
    void everyKernelsGradientEqualsCentralDifferences(String name, boolean processed) {
        HookedTransformer model = name.equals(TIGHT_CAPS) ? tightlyCapped() : processed ? ArchFixtures.model(name) : ArchFixtures.unprocessedModel(name);
        if (name.equals(TIGHT_CAPS)) name = "tiny-gm2-a";
        IntTensor all = ArchFixtures.tokens(name, "tokens");
        int keep = 14, pos = all.shape(1);
        int[] row = new int[keep];
        for (int i = 0; i < keep; i++) row[i] = all.item(0, pos - keep + i);
        IntTensor tokens = IntTensor.of(new int[][] {row});
        IntTensor answers = ArchFixtures.tokens(name, "answer_tokens");
        List<String> points = new ArrayList<>();
        for (String p : model.hookPoints()) {
            if (p.startsWith("blocks.1.") || p.equals("blocks.0.hook_resid_post") || p.equals("hook_embed") || p.startsWith("ln_final.") || p.equals("unembed.hook_in")) {
                if (!p.endsWith("hook_result") && !p.contains("_input") && !p.endsWith("hook_attn_in") && !p.endsWith("hook_mlp_in")) points.add(p);
            }
        }
        Map<String, Tensor> grads = new HashMap<>();
        model.runWithGradient(tokens, GradientMetrics.logitDiff(answers),
                List.of(Hook.backwardMatching(points::contains, HookFunction.reading((g, h) -> grads.put(h.name(), g.copy())))));
        List<String> failures = new ArrayList<>();
        for (String point : points) {
            if (!grads.containsKey(point)) {
                failures.add(point + ": no gradient");
                continue;
            }
            float[] g = grads.get(point).toArray();
            for (int i : probes(g)) {
                double fd = (metric(model, tokens, answers, point, i, H) - metric(model, tokens, answers, point, i, -H)) / (2 * H);
                double tol = 2e-3 * maxAbs(g) + 2e-2 * Math.abs(g[i]);
                if (!(Math.abs(fd - g[i]) <= tol)) failures.add(point + "[" + i + "]: backward " + g[i] + ", central difference " + fd);
            }
        }
        if (!failures.isEmpty()) throw new AssertionError(name + " processed=" + processed + "\n" + String.join("\n", failures));
    }

    /** The three largest entries by magnitude and one in the middle. */
    private static int[] probes(float[] g) {
        int[] top = {-1, -1, -1};
        for (int i = 0; i < g.length; i++) {
            for (int t = 0; t < 3; t++) {
                if (top[t] < 0 || Math.abs(g[i]) > Math.abs(g[top[t]])) {
                    System.arraycopy(top, t, top, t + 1, 2 - t);
                    top[t] = i;
                    break;
                }
            }
        }
        return new int[] {top[0], top[1], top[2], g.length / 2};
    }

    private static double metric(HookedTransformer model, IntTensor tokens, IntTensor answers, String point, int i, double delta) {
        Tensor logits = model.runWithHooks(tokens, List.of(Hook.of(point, (act, h) -> {
            act.data()[act.offset() + i] += (float) delta;
            return null;
        })));
        Tensor last = logits.get(0, -1);
        return (double) last.get(answers.item(0, 0)).item() - last.get(answers.item(0, 1)).item();
    }

    private static double maxAbs(float[] g) {
        double m = 0;
        for (float x : g) m = Math.max(m, Math.abs(x));
        return m;
    }
}
