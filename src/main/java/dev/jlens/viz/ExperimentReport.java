package dev.jlens.viz;

import dev.jlens.experiment.AnalysisResult;
import dev.jlens.experiment.Experiment;
import dev.jlens.analysis.LogitDiff;
import dev.jlens.patching.PatchKind;
import dev.jlens.analysis.TopTokens;
import dev.jlens.model.ForwardOptions;
import dev.jlens.model.HookedTransformer;
import dev.jlens.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The seed's whole analysis of an experiment on one page, in the seed's order: the experiment file and the
 * model (so the page can be reproduced), the prompts as tokens, a {@code test_prompt}-style table per prompt,
 * clean and corrupted logit differences, the logit lens, the attribution per layer and per head, the attention
 * patterns of the top positive and negative heads, a heatmap per patching sweep, and with SAEs spliced in their
 * features ({@link SaeFeaturesSection}).
 *
 * <p>Stable element ids: {@code experiment-file}, {@code tokens-prompt-N}, {@code tokens-corrupted-N},
 * {@code top-k-N}, {@code logit-diffs}, figures {@code logit-lens}, {@code per-layer}, {@code per-head},
 * {@code attention-top-positive}, {@code attention-top-negative}, and per sweep a group {@code patching-KIND}
 * holding one heatmap or several ({@code patching-KIND-PART}). With attribution patching, the group also holds the
 * attribution heatmaps ({@code attribution-KIND-heatmap}, {@code attribution-KIND-PART}), their correlation with the
 * sweep ({@code correlation-KIND}) and the scatter plot of the two ({@code scatter-KIND}), and section {@code saliency}
 * holds each prompt's strips ({@code saliency-gxi-N}, {@code saliency-ig-N}).
 */
public final class ExperimentReport {
    /**
     * How the page was made, printed on it so it can be made again.
     *
     * @param experimentFile where the experiment file is, or null when it was typed (the web UI)
     * @param experimentText the file's text as given (null: written from the experiment)
     * @param modelArgument  the {@code --model} the page was made with
     */
    public record Provenance(String experimentFile, String experimentText, String modelArgument) {}

    /** The steps of integrated gradients in the saliency strips (midpoints of the path from the zero embedding). */
    static final int INTEGRATED_GRADIENTS_STEPS = 20;

    private final HookedTransformer model;
    private int topK = 10;

    public ExperimentReport(HookedTransformer model) {
        this.model = model;
    }

    /** Rows of each test_prompt table (default 10; 0 shows only the answers' ranks). */
    public ExperimentReport topK(int k) {
        if (k < 0 || k > 1000) throw new IllegalArgumentException("top-k must be 0..1000, got " + k);
        this.topK = k;
        return this;
    }

    public Page build(AnalysisResult r, Provenance provenance) {
        Experiment e = r.experiment();
        String file = provenance.experimentFile();
        String name = file != null ? file : "E.json";
        Page.Builder p = Page.builder("jlens report: " + (file != null ? fileName(file) : "typed experiment"));
        p.heading("jlens report: " + (file != null ? fileName(file) : "typed experiment"));
        List<List<String>> facts = new ArrayList<>();
        facts.add(List.of("Model", r.modelName() + (provenance.modelArgument() != null && !provenance.modelArgument().equals(r.modelName())
                ? "  (--model " + provenance.modelArgument() + ")" : "")));
        facts.add(List.of("Experiment file", file != null ? file : "typed in the web UI: save the text below as E.json"));
        facts.add(List.of("Model shape", model.cfg().nLayers() + " layers, " + model.cfg().nHeads() + " heads, d_model " + model.cfg().dModel()));
        facts.add(List.of("Reproduce", "jlens report --spec " + name + (provenance.modelArgument() != null ? " --model " + provenance.modelArgument() : "") + " --out R.html"));
        facts.add(List.of("Made by", "jlens " + Page.version()));
        p.facts("provenance", facts);

        p.section("experiment", "Experiment file");
        p.preformatted("experiment-file", provenance.experimentText() != null ? provenance.experimentText() : experimentJson(e));

        tokens(p, r);
        testPrompt(p, r);
        logitDiffs(p, r);

        p.section("logit-lens-section", "Logit lens");
        p.figure(LineChart.builder().id("logit-lens").title("Logit Difference From Accumulate Residual Stream").xCategories(r.logitLensLabels())
                .xTitle("Layer").yTitle("Logit difference").series("logit difference", r.logitLens().toArray(), r.logitLensLabels()).build());

        p.section("per-layer-section", "Direct logit attribution per layer");
        p.figure(LineChart.builder().id("per-layer").title("Logit Difference From Each Layer").xCategories(r.perLayerLabels())
                .xTitle("Component").yTitle("Logit difference").series("logit difference", r.perLayer().toArray(), r.perLayerLabels()).build());

        p.section("per-head-section", "Direct logit attribution per head");
        p.figure(Heatmap.builder(r.perHead()).id("per-head").title("Logit Difference From Each Head").xTitle("Head").yTitle("Layer")
                .cellNames((l, h) -> "L" + l + "H" + h).build());

        p.section("attention", "Attention patterns");
        p.paragraph("Batch element 0 (the first prompt). Hover or click a head to enlarge it; hover a token to see where it attends and what attends to it.");
        List<String> tokens0 = r.strTokens().getFirst();
        p.figure(AttentionPatterns.ofHeads(r.cleanCache(), tokens0, r.top3PositiveHeads(), 0).id("attention-top-positive")
                .title("Top " + r.top3PositiveHeads().length + " Positive Logit Attribution Heads").build());
        p.figure(AttentionPatterns.ofHeads(r.cleanCache(), tokens0, r.top3NegativeHeads(), 0).id("attention-top-negative")
                .title("Top " + r.top3NegativeHeads().length + " Negative Logit Attribution Heads").build());

        if (!r.patching().isEmpty() || !r.attribution().isEmpty()) {
            p.section("patching", r.attribution().isEmpty() ? "Activation patching" : "Activation and attribution patching");
            p.paragraph("Normalized logit difference (patched - corrupted) / (clean - corrupted): 0 = no change from the corrupted run, "
                    + "1 = clean performance recovered. Positions are labeled {token}_{index} from the first prompt.");
            if (!r.attribution().isEmpty()) {
                p.paragraph("Attribution patching estimates each patch from one backward pass of the corrupted run: the sum over the patched "
                        + "activation of (clean - corrupted) x the gradient of the normalized logit difference. It stands beside the activation "
                        + "patching of the same kind, on one color scale, with their correlation.");
            }
            java.util.LinkedHashSet<String> kinds = new java.util.LinkedHashSet<>(r.patching().keySet());
            kinds.addAll(r.attribution().keySet());
            for (String kind : kinds) {
                PatchingFigures.add(p, PatchKind.byId(kind).orElseThrow(), r.patching().get(kind), r.attribution().get(kind), tokens0);
            }
        }
        if (!r.attribution().isEmpty()) saliency(p, r);
        SaeFeaturesSection.add(p, model, r);
        return p.build();
    }

    /**
     * Per prompt, how much each input token moves its logit difference (correct - incorrect) on the clean run: gradient x
     * input and integrated gradients over the token embeddings (Saliency), summed over d_model.
     */
    private void saliency(Page.Builder p, AnalysisResult r) {
        p.section("saliency", "Token saliency");
        p.paragraph("How much each token of a prompt moves its logit difference (correct - incorrect), from the gradient at the token "
                + "embeddings: gradient x input, and integrated gradients from the zero embedding in " + INTEGRATED_GRADIENTS_STEPS
                + " steps (their sum over the tokens approaches the logit difference minus that of the zero embeddings). Blue raises the "
                + "logit difference, red lowers it; both strips of a prompt share one scale. Hover a token for its value.");
        TokenSaliency s = TokenSaliency.of(model, r.tokens(), r.answerTokens(), INTEGRATED_GRADIENTS_STEPS);
        for (int i = 0; i < r.strTokens().size(); i++) {
            double range = Math.max(s.gradientTimesInput().get(i).abs().max(), s.integratedGradients().get(i).abs().max());
            p.group("saliency-" + i, "jlens-saliency-group");
            p.saliency("saliency-gxi-" + i, "Prompt " + i + ": gradient x input", r.strTokens().get(i), s.gradientTimesInput().get(i).toArray(), range);
            p.saliency("saliency-ig-" + i, "Prompt " + i + ": integrated gradients", r.strTokens().get(i), s.integratedGradients().get(i).toArray(), range);
            p.endGroup();
        }
    }

    private void tokens(Page.Builder p, AnalysisResult r) {
        Experiment e = r.experiment();
        p.section("prompts", "Prompts as tokens");
        for (int i = 0; i < r.strTokens().size(); i++) {
            p.tokens("tokens-prompt-" + i, "Prompt " + i, r.strTokens().get(i));
            if (r.corruptedTokens() != null) {
                int[] clean = r.tokens().row(i), corrupted = r.corruptedTokens().row(i);
                java.util.Set<Integer> differ = new java.util.HashSet<>();
                for (int t = 0; t < corrupted.length; t++) if (t >= clean.length || clean[t] != corrupted[t]) differ.add(t);
                p.tokens("tokens-corrupted-" + i, "Corrupted " + i, model.toStrTokens(corrupted), differ);
            }
            Experiment.AnswerPair a = e.answers().get(i);
            p.paragraph("Answers: correct " + quote(a.correct()) + " (token " + r.answerTokens().item(i, 0) + "), incorrect "
                    + quote(a.incorrect()) + " (token " + r.answerTokens().item(i, 1) + ")");
        }
    }

    private void testPrompt(Page.Builder p, AnalysisResult r) {
        p.section("test-prompt", "Top tokens after each prompt (test_prompt)");
        int[][] answers = r.answerTokens().toMatrix();
        List<TopTokens.Table> tables = TopTokens.lastPosition(model, r.tokens(), topK, answers);
        p.group(null, "jlens-columns");
        for (int i = 0; i < tables.size(); i++) {
            List<List<String>> rows = new ArrayList<>();
            for (TopTokens.Row row : tables.get(i).top()) rows.add(row(row, "Top " + row.rank() + "th"));
            TopTokens.Table t = tables.get(i);
            rows.add(row(t.answers().get(0), "correct: rank " + t.answers().get(0).rank()));
            rows.add(row(t.answers().get(1), "incorrect: rank " + t.answers().get(1).rank()));
            p.table("top-k-" + i, "Prompt " + i, List.of("", "Logit", "Prob", "Token"), rows);
        }
        p.endGroup();
    }

    private static List<String> row(TopTokens.Row r, String what) {
        return List.of(what, String.format(Locale.ROOT, "%.2f", r.logit()), String.format(Locale.ROOT, "%.2f%%", r.prob() * 100),
                "|" + Html.visibleToken(r.str()) + "|");
    }

    private void logitDiffs(Page.Builder p, AnalysisResult r) {
        p.section("logit-diff", "Logit differences");
        Tensor corruptedPerPrompt = r.corruptedTokens() == null ? null : LogitDiff.perPrompt(
                model.run(r.corruptedTokens(), ForwardOptions.LOGITS.withLastLogitsOnly(true)).logits(), r.answerTokens());
        List<String> header = new ArrayList<>(List.of("Prompt", "Correct", "Incorrect", "Clean logit diff"));
        if (corruptedPerPrompt != null) header.add("Corrupted logit diff");
        List<List<String>> rows = new ArrayList<>();
        for (int i = 0; i < r.strTokens().size(); i++) {
            Experiment.AnswerPair a = r.experiment().answers().get(i);
            List<String> row = new ArrayList<>(List.of(Integer.toString(i), quote(a.correct()), quote(a.incorrect()),
                    Values.format(r.perPromptLogitDiff().item(i))));
            if (corruptedPerPrompt != null) row.add(Values.format(corruptedPerPrompt.item(i)));
            rows.add(row);
        }
        p.table("logit-diffs", "Per prompt", header, rows);
        List<List<String>> facts = new ArrayList<>();
        facts.add(List.of("Average logit difference (clean)", Values.format(r.averageLogitDiff())));
        facts.add(List.of("Calculated from the residual stream", Values.format(r.calculatedAverageLogitDiff())));
        if (r.corruptedAverageLogitDiff() != null) facts.add(List.of("Average logit difference (corrupted)", Values.format(r.corruptedAverageLogitDiff())));
        p.facts("logit-diff-summary", facts);
    }

    private static String quote(String s) {
        return "'" + Html.visibleToken(s) + "'";
    }

    private static String fileName(String path) {
        int slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
        return slash < 0 ? path : path.substring(slash + 1);
    }

    /** The experiment as a file would say it (when the original text is not at hand). */
    static String experimentJson(Experiment e) {
        var m = tools.jackson.databind.json.JsonMapper.shared();
        var root = m.createObjectNode();
        if (e.model() != null) root.put("model", e.model());
        root.put("prepend_bos", e.prependBos());
        root.set("prompts", m.valueToTree(e.prompts()));
        var answers = root.putArray("answers");
        for (Experiment.AnswerPair a : e.answers()) answers.addArray().add(a.correct()).add(a.incorrect());
        if (e.hasCorruptedPrompts()) root.set("corrupted_prompts", m.valueToTree(e.corruptedPrompts()));
        if (!e.patching().isEmpty()) root.set("patching", m.valueToTree(e.patching().stream().map(k -> k.id()).toList()));
        if (!e.saes().isEmpty()) {
            root.set("saes", m.valueToTree(e.saes()));
            root.put("use_error_term", e.useErrorTerm());
        }
        return m.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    }
}
