import dev.jlens.patching.Patching;
import dev.jlens.analysis.TestPrompt;
import dev.jlens.cache.ActivationCache;
import dev.jlens.cache.ResidualStack;
import dev.jlens.cache.Slice;
import dev.jlens.cache.StackOptions;
import dev.jlens.hooks.ActName;
import dev.jlens.hooks.Hook;
import dev.jlens.hooks.HookFunction;
import dev.jlens.model.CachedRun;
import dev.jlens.model.HookedTransformer;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * The seed notebook (the analysis notebook jlens was built to answer, in TransformerLens), ported step by step: test prompts, logit
 * differences, the logit lens, direct logit attribution per layer and per head, the top heads' attention,
 * and activation patching of the residual stream, by the notebook's own loop and by the library's helper.
 *
 * <p>Run it from the repository's root on the test model, or on any GPT-2 (a folder, or a name such as gpt2-small):
 * <pre>
 * ./jlens run examples/SeedNotebook.java src/test/resources/fixtures/tiny-gpt2-a
 * </pre>
 */
public class SeedNotebook {
    // ---- the notebook's helpers, each a few lines --------------------------------------------------

    /** logits_to_ave_logit_diff */
    static Tensor logitsToAveLogitDiff(Tensor logits, IntTensor answerTokens, boolean perPrompt) {
        Tensor finalLogits = logits.get(":, -1, :");
        Tensor answerLogits = finalLogits.gather(-1, answerTokens);
        Tensor answerLogitDiff = answerLogits.get(":, 0").sub(answerLogits.get(":, 1"));
        return perPrompt ? answerLogitDiff : Tensor.scalar(answerLogitDiff.mean());
    }

    /** residual_stack_to_logit_diff */
    static Tensor residualStackToLogitDiff(Tensor residualStack, ActivationCache cache, Tensor logitDiffDirections, int prompts) {
        Tensor scaled = cache.applyLnToStack(residualStack, StackOptions.defaults().posSlice(Slice.at(-1)));
        return Tensor.einsum("... batch d_model, batch d_model -> ...", scaled, logitDiffDirections).div(prompts);
    }

    /** patch_residual_component */
    static HookFunction patchResidualComponent(int pos, ActivationCache cleanCache) {
        return (corrupted, hook) -> corrupted.set(":, " + pos + ", :", cleanCache.get(hook.name()).get(":, " + pos + ", :"));
    }

    public static void main(String[] args) {
        HookedTransformer model = HookedTransformer.fromPretrained(args.length > 0 ? args[0] : "gpt2-small");

        // ## Loading and running models
        System.out.println("Model loss: " + model.loss("1 2 3 4"));

        // ## Test prompts
        System.out.print(new TestPrompt(model).run("1 2 3 4", " 5"));

        // # Analogous inputs: compare logits
        List<String> prompts = List.of("Mary is a human. Fido is a dog. The pet of this family is Fido. Rachel is a human. Pebbles is a cat. The pet of this family is");
        String[][] answers = {{" Peb", " Rachel"}};
        int[][] ids = new int[answers.length][];
        for (int i = 0; i < answers.length; i++) ids[i] = new int[] {model.toSingleToken(answers[i][0]), model.toSingleToken(answers[i][1])};
        IntTensor answerTokens = IntTensor.of(ids);

        IntTensor tokens = model.toTokens(prompts, true);
        CachedRun run = model.runWithCache(tokens);
        Tensor originalLogits = run.logits();
        ActivationCache cache = run.cache();
        System.out.println("Per prompt logit difference: " + logitsToAveLogitDiff(originalLogits, answerTokens, true));
        float originalAverageLogitDiff = logitsToAveLogitDiff(originalLogits, answerTokens, false).item();
        System.out.println("Average logit difference: " + originalAverageLogitDiff);

        // ## Direct layer attribution: the logit lens
        Tensor answerResidualDirections = model.tokensToResidualDirections(answerTokens);
        System.out.println("Answer residual directions shape: " + Arrays.toString(answerResidualDirections.shape()));
        Tensor logitDiffDirections = answerResidualDirections.get(":, 0").sub(answerResidualDirections.get(":, 1"));
        System.out.println("Logit difference directions shape: " + Arrays.toString(logitDiffDirections.shape()));

        Tensor finalTokenResidualStream = cache.get("resid_post", -1).get(":, -1, :");
        Tensor scaledFinal = cache.applyLnToStack(finalTokenResidualStream, StackOptions.defaults().posSlice(Slice.at(-1)));
        float calculated = Tensor.einsum("batch d_model, batch d_model -> ", scaledFinal, logitDiffDirections).item() / prompts.size();
        System.out.println("Calculated average logit diff: " + calculated);
        System.out.println("Original logit difference: " + originalAverageLogitDiff);

        ResidualStack accumulated = cache.accumulatedResid(StackOptions.defaults().inclMid(true).posSlice(Slice.at(-1)));
        Tensor logitLens = residualStackToLogitDiff(accumulated.stack(), cache, logitDiffDirections, prompts.size());
        System.out.println("Logit lens " + accumulated.labels() + ": " + logitLens);

        ResidualStack perLayer = cache.decomposeResid(StackOptions.defaults().posSlice(Slice.at(-1)));
        System.out.println("Per layer " + perLayer.labels() + ": " + residualStackToLogitDiff(perLayer.stack(), cache, logitDiffDirections, prompts.size()));

        ResidualStack perHeadResidual = cache.stackHeadResults(StackOptions.defaults().posSlice(Slice.at(-1)));
        Tensor perHead = residualStackToLogitDiff(perHeadResidual.stack(), cache, logitDiffDirections, prompts.size())
                .reshape(model.cfg().nLayers(), model.cfg().nHeads());
        System.out.println("Per head logit differences: " + perHead);

        // ## Attention patterns of the top heads
        int[] topPositive = perHead.flatten().topk(3).indices().toArray();
        int[] topNegative = perHead.flatten().neg().topk(3).indices().toArray();
        System.out.println("Top 3 positive logit attribution heads: " + Arrays.toString(topPositive));
        System.out.println("Top 3 negative logit attribution heads: " + Arrays.toString(topNegative));
        for (int head : topPositive) {
            int layer = head / model.cfg().nHeads(), index = head % model.cfg().nHeads();
            Tensor pattern = cache.get("attn", layer).get(0, index);  // [query, key]
            System.out.println("L" + layer + "H" + index + " attends from the last token most to position " + pattern.get(-1).argmax());
        }

        // ## Activation patching: corrupt by switching sentences
        List<String> corruptedPrompts = List.of("Mary is a human. Fido is a dog. The pet of this family is Fido. Pebbles is a cat. Rachel is a human. The pet of this family is");
        IntTensor corruptedTokens = model.toTokens(corruptedPrompts, true);
        float corruptedAverageLogitDiff = logitsToAveLogitDiff(model.forward(corruptedTokens), answerTokens, false).item();
        System.out.println("Corrupted Average Logit Diff " + corruptedAverageLogitDiff);
        System.out.println("Clean Average Logit Diff " + originalAverageLogitDiff);

        // The notebook's own loop: one run per (layer, position) with the clean residual stream pasted in.
        int positions = tokens.shape(1);
        Tensor patchedResidualStreamDiff = Tensor.zeros(model.cfg().nLayers(), positions);
        for (int layer = 0; layer < model.cfg().nLayers(); layer++) {
            for (int position = 0; position < positions; position++) {
                Tensor patchedLogits = model.runWithHooks(corruptedTokens,
                        List.of(Hook.of(ActName.get("resid_pre", layer), patchResidualComponent(position, cache))));
                float patchedLogitDiff = logitsToAveLogitDiff(patchedLogits, answerTokens, false).item();
                patchedResidualStreamDiff.put((patchedLogitDiff - corruptedAverageLogitDiff)
                        / (originalAverageLogitDiff - corruptedAverageLogitDiff), layer, position);
            }
        }
        System.out.println("Patched residual stream (notebook loop): " + patchedResidualStreamDiff);

        // The same with the library's helper (TransformerLens' get_act_patch_resid_pre).
        Tensor helper = new Patching(model, corruptedTokens, cache,
                dev.jlens.analysis.LogitDiff.normalized(answerTokens, originalAverageLogitDiff, corruptedAverageLogitDiff)).residPre();
        System.out.println("Patched residual stream (helper): " + helper);
        System.out.println("Largest difference between the two: " + patchedResidualStreamDiff.sub(helper).abs().max());
    }
}
