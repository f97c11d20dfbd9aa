package dev.jlens.analysis;

import dev.jlens.cache.ActivationCache;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

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
 * @param cleanCache       the clean run's activations (for figures; not written to JSON)
 */
public record AnalysisResult(
        Experiment experiment, String modelName, IntTensor tokens, List<List<String>> strTokens, IntTensor answerTokens,
        Tensor perPromptLogitDiff, float averageLogitDiff, float calculatedAverageLogitDiff,
        List<String> logitLensLabels, Tensor logitLens, List<String> perLayerLabels, Tensor perLayer,
        List<String> perHeadLabels, Tensor perHead, int[] top3PositiveHeads, int[] top3NegativeHeads,
        IntTensor corruptedTokens, Float corruptedAverageLogitDiff, Map<String, Tensor> patching,
        ActivationCache cleanCache) {

    public ObjectNode toJson() {
        JsonMapper m = JsonMapper.shared();
        ObjectNode root = m.createObjectNode();
        root.put("model", modelName);
        root.set("prompts", m.valueToTree(experiment.prompts()));
        ArrayNode answers = root.putArray("answers");
        for (Experiment.AnswerPair a : experiment.answers()) answers.addArray().add(a.correct()).add(a.incorrect());
        if (experiment.hasCorruptedPrompts()) root.set("corrupted_prompts", m.valueToTree(experiment.corruptedPrompts()));
        root.set("tokens", m.valueToTree(tokens.toMatrix()));
        root.set("answer_tokens", m.valueToTree(answerTokens.toMatrix()));
        root.set("per_prompt_logit_diff", values(perPromptLogitDiff));
        root.put("average_logit_diff", averageLogitDiff);
        root.put("calculated_average_logit_diff", calculatedAverageLogitDiff);
        root.set("logit_lens_labels", m.valueToTree(logitLensLabels));
        root.set("logit_lens", values(logitLens));
        root.set("per_layer_labels", m.valueToTree(perLayerLabels));
        root.set("per_layer", values(perLayer));
        root.set("per_head_labels", m.valueToTree(perHeadLabels));
        root.set("per_head", values(perHead));
        root.set("top3_positive_heads", m.valueToTree(top3PositiveHeads));
        root.set("top3_negative_heads", m.valueToTree(top3NegativeHeads));
        if (corruptedTokens != null) {
            root.set("corrupted_tokens", m.valueToTree(corruptedTokens.toMatrix()));
            root.put("corrupted_average_logit_diff", corruptedAverageLogitDiff);
        }
        ObjectNode sweeps = root.putObject("patching");
        for (Map.Entry<String, Tensor> e : patching.entrySet()) {
            ObjectNode sweep = sweeps.putObject(e.getKey());
            sweep.set("shape", m.valueToTree(e.getValue().shape()));
            sweep.set("values", values(e.getValue()));
        }
        return root;
    }

    /** A tensor as nested JSON arrays of numbers. */
    static ArrayNode values(Tensor t) {
        ArrayNode out = JsonMapper.shared().createArrayNode();
        if (t.rank() == 1) {
            for (float v : t.toArray()) out.add(v);
            return out;
        }
        for (int i = 0; i < t.shape(0); i++) out.add(values(t.get(i)));
        return out;
    }
}
