package dev.jlens.experiment;

import dev.jlens.cache.ActivationCache;
import dev.jlens.io.Json;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;

import java.util.List;
import java.util.Map;

/**
 * What the seed's analysis found for an experiment; {@link #toJson} writes the keys of the reference
 * fixtures' {@code cases} ({@code per_prompt_logit_diff}, {@code logit_lens}, {@code per_head}, ...).
 * Corrupted-run fields are null without corrupted prompts.
 *
 * @param perHead          [n_layers, n_heads] direct logit attribution of each head
 * @param top3PositiveHeads flat indices layer*n_heads+head of the three largest per-head values
 * @param patching         each requested sweep's result by kind id, in the requested order
 * @param attribution      each requested attribution-patching estimate by kind id, in the requested order
 * @param cleanCache       the clean run's activations (for figures; not written to JSON)
 * @param saeFeatures      per SAE spliced in, its reading of the clean run and its features that matter most (empty without SAEs)
 */
public record AnalysisResult(
        Experiment experiment, String modelName, IntTensor tokens, List<List<String>> strTokens, IntTensor answerTokens,
        Tensor perPromptLogitDiff, float averageLogitDiff, float calculatedAverageLogitDiff,
        List<String> logitLensLabels, Tensor logitLens, List<String> perLayerLabels, Tensor perLayer,
        List<String> perHeadLabels, Tensor perHead, int[] top3PositiveHeads, int[] top3NegativeHeads,
        IntTensor corruptedTokens, Float corruptedAverageLogitDiff, Map<String, Tensor> patching,
        ActivationCache cleanCache, Map<String, Tensor> attribution, List<SaeFeatures> saeFeatures) {

    public AnalysisResult {
        saeFeatures = List.copyOf(saeFeatures);
    }

    public Json.Obj toJson() {
        Json.Obj root = new Json.Obj();
        root.put("model", modelName);
        root.put("prompts", Json.Arr.ofStrings(experiment.prompts()));
        Json.Arr answers = new Json.Arr();
        for (Experiment.AnswerPair a : experiment.answers()) answers.add(Json.Arr.ofStrings(List.of(a.correct(), a.incorrect())));
        root.put("answers", answers);
        if (experiment.hasCorruptedPrompts()) root.put("corrupted_prompts", Json.Arr.ofStrings(experiment.corruptedPrompts()));
        root.put("tokens", matrix(tokens));
        root.put("answer_tokens", matrix(answerTokens));
        root.put("per_prompt_logit_diff", values(perPromptLogitDiff));
        root.put("average_logit_diff", Json.Num.of(averageLogitDiff));
        root.put("calculated_average_logit_diff", Json.Num.of(calculatedAverageLogitDiff));
        root.put("logit_lens_labels", Json.Arr.ofStrings(logitLensLabels));
        root.put("logit_lens", values(logitLens));
        root.put("per_layer_labels", Json.Arr.ofStrings(perLayerLabels));
        root.put("per_layer", values(perLayer));
        root.put("per_head_labels", Json.Arr.ofStrings(perHeadLabels));
        root.put("per_head", values(perHead));
        root.put("top3_positive_heads", Json.Arr.ofInts(top3PositiveHeads));
        root.put("top3_negative_heads", Json.Arr.ofInts(top3NegativeHeads));
        if (corruptedTokens != null) {
            root.put("corrupted_tokens", matrix(corruptedTokens));
            root.put("corrupted_average_logit_diff", Json.Num.of(corruptedAverageLogitDiff));
        }
        root.put("patching", byKind(patching));
        if (!attribution.isEmpty()) root.put("attribution", byKind(attribution));
        if (!saeFeatures.isEmpty()) {
            Json.Arr saes = new Json.Arr();
            for (SaeFeatures s : saeFeatures) saes.add(s.toJson());
            root.put("saes", saes);
        }
        return root;
    }

    /** {@code {kind: {"shape", "values"}}}. */
    private static Json.Obj byKind(Map<String, Tensor> results) {
        Json.Obj out = new Json.Obj();
        for (Map.Entry<String, Tensor> e : results.entrySet()) {
            out.put(e.getKey(), new Json.Obj().put("shape", Json.Arr.ofInts(e.getValue().shape())).put("values", values(e.getValue())));
        }
        return out;
    }

    /** A tensor as nested JSON arrays of numbers. */
    static Json.Arr values(Tensor t) {
        Json.Arr out = new Json.Arr();
        if (t.rank() == 1) {
            for (float v : t.toArray()) out.add(Json.Num.of(v));
            return out;
        }
        for (int i = 0; i < t.shape(0); i++) out.add(values(t.get(i)));
        return out;
    }

    private static Json.Arr matrix(IntTensor t) {
        Json.Arr out = new Json.Arr();
        for (int[] row : t.toMatrix()) out.add(Json.Arr.ofInts(row));
        return out;
    }
}
