package dev.jlens.dataset;

import dev.jlens.analysis.LogitDiff;
import dev.jlens.cache.ActivationCache;
import dev.jlens.cache.Slice;
import dev.jlens.cache.StackOptions;
import dev.jlens.experiment.MemoryEstimate;
import dev.jlens.model.CacheOptions;
import dev.jlens.model.ForwardOptions;
import dev.jlens.model.HookedTransformer;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The seed's per-prompt readings (logit difference clean and corrupted, logit lens, attribution per layer and per
 * head) for prompts of different lengths in one forward pass. The prompts are padded on the left with an attention
 * mask, as TransformerLens runs them with {@code padding_side="left"} ({@code utils.get_attention_mask}: padding is
 * not attended and does not count towards the positions), so every prompt ends at the last position and each is read
 * at its own last token, {@code pos_slice=-1} for all, as the seed reads one prompt. Each prompt's values are its own,
 * not averaged over the batch: the stacks are projected on its own logit difference direction.
 */
final class PaddedAnalysis {
    /** One prompt's readings; {@code corruptedLogitDiff} is null without a corrupted prompt. */
    record Reading(int[] tokens, float logitDiff, Float corruptedLogitDiff, float[] logitLens, float[] perLayer, float[][] perHead) {}

    /** A prompt and its answers' token ids; {@code corrupted} may be null. */
    record Prompt(String prompt, int correct, int incorrect, String corrupted) {}

    private PaddedAnalysis() {}

    /** The readings of {@code prompts}, in order, from one padded run (and one of the corrupted prompts there are). */
    static List<Reading> run(HookedTransformer model, List<Prompt> prompts, boolean prependBos, String source) {
        return model.runtime().call(() -> analyze(model, prompts, prependBos, source));
    }

    private static List<Reading> analyze(HookedTransformer model, List<Prompt> prompts, boolean prependBos, String source) {
        int n = prompts.size();
        List<String> texts = prompts.stream().map(Prompt::prompt).toList();
        List<String> corruptedTexts = prompts.stream().map(Prompt::corrupted).filter(java.util.Objects::nonNull).toList();
        int positions = 0;
        for (String t : texts) positions = Math.max(positions, model.tokenization().encode(t, prependBos).length);
        MemoryEstimate.ofAnalysis(model.cfg(), n, positions, !corruptedTexts.isEmpty(), List.of(), 1).requireFitsInHeap(source, model.runtime());

        int[][] answers = new int[n][];
        for (int i = 0; i < n; i++) answers[i] = new int[] {prompts.get(i).correct(), prompts.get(i).incorrect()};
        IntTensor answerTokens = IntTensor.of(answers);
        IntTensor tokens = model.toTokens(texts, prependBos, true);
        IntTensor mask = model.tokenization().attentionMask(tokens, true, prependBos);
        var clean = model.runWithCache(tokens, CacheOptions.ALL.withForward(ForwardOptions.LOGITS.withAttentionMask(mask)));
        ActivationCache cache = clean.cache();
        float[] logitDiffs = LogitDiff.perPrompt(clean.logits(), answerTokens).toArray();

        // logit_diff_directions = W_U[:, correct] - W_U[:, incorrect], one [d_model] row per prompt
        Tensor directions = model.tokensToResidualDirections(answerTokens.column(0))
                .sub(model.tokensToResidualDirections(answerTokens.column(1))).reshape(n, model.cfg().dModel());
        StackOptions last = StackOptions.defaults().posSlice(Slice.at(-1));
        Tensor lens = perPrompt(cache, cache.accumulatedResid(StackOptions.defaults().inclMid(true).posSlice(Slice.at(-1))).stack(), directions);
        Tensor layers = perPrompt(cache, cache.decomposeResid(last).stack(), directions);
        Tensor heads = perPrompt(cache, cache.stackHeadResults(last).stack(), directions);

        float[] corrupted = null;
        if (!corruptedTexts.isEmpty()) {
            List<Integer> which = new ArrayList<>();
            for (int i = 0; i < n; i++) if (prompts.get(i).corrupted() != null) which.add(i);
            int[][] corruptedAnswers = new int[which.size()][];
            for (int j = 0; j < which.size(); j++) corruptedAnswers[j] = answers[which.get(j)];
            IntTensor corruptedTokens = model.toTokens(corruptedTexts, prependBos, true);
            IntTensor corruptedMask = model.tokenization().attentionMask(corruptedTokens, true, prependBos);
            Tensor logits = model.run(corruptedTokens, ForwardOptions.LOGITS.withAttentionMask(corruptedMask).withLastLogitsOnly(true)).logits();
            float[] values = LogitDiff.perPrompt(logits, IntTensor.of(corruptedAnswers)).toArray();
            corrupted = new float[n];
            for (int j = 0; j < which.size(); j++) corrupted[which.get(j)] = values[j];
        }

        int nLayers = model.cfg().nLayers(), nHeads = model.cfg().nHeads();
        List<Reading> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            float[] h = column(heads, i);
            float[][] perHead = new float[nLayers][];
            for (int l = 0; l < nLayers; l++) perHead[l] = java.util.Arrays.copyOfRange(h, l * nHeads, (l + 1) * nHeads);
            Float c = prompts.get(i).corrupted() == null ? null : corrupted[i];
            out.add(new Reading(model.tokenization().encode(texts.get(i), prependBos), logitDiffs[i], c, column(lens, i), column(layers, i), perHead));
        }
        return out;
    }

    /** The seed's residual_stack_to_logit_diff without the mean over prompts: [components, batch]. */
    private static Tensor perPrompt(ActivationCache cache, Tensor stack, Tensor directions) {
        Tensor scaled = cache.applyLnToStack(stack, StackOptions.defaults().posSlice(Slice.at(-1)));
        return Tensor.einsum("... batch d_model, batch d_model -> ... batch", scaled, directions);
    }

    /** Column {@code i} of a [components, batch] tensor. */
    private static float[] column(Tensor t, int i) {
        return t.get(":", i).toArray();
    }
}
