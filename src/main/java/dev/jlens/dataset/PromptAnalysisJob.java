package dev.jlens.dataset;

import dev.jlens.JlensException;
import dev.jlens.experiment.AnalysisResult;
import dev.jlens.experiment.Experiment;
import dev.jlens.experiment.ExperimentAnalysis;
import dev.jlens.model.HookedTransformer;
import dev.jlens.patching.PatchKind;
import dev.jlens.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The seed's analysis of each prompt of a dataset, as {@code jlens analyze} gives it for an experiment of that one
 * prompt: the logit difference (clean and corrupted), the logit lens, the attribution per layer and per head, and
 * the patching sweeps asked for. Each prompt is read at its own last token: a batch's prompts run together, padded
 * (see {@link PaddedAnalysis}), or one at a time when patching or attribution is asked for. A row that cannot be analyzed
 * (an answer of several tokens, a prompt longer than the context) stops the job, or with {@code skipBadRows} gives
 * a result with only {@link ResultColumns#ERROR}.
 *
 * <p>The model is named, not held, so that the function can be sent to another machine, which loads it once.
 */
public final class PromptAnalysisJob implements BatchFunction<PromptRow, Map<String, Object>> {
    public static final String PROMPT = "prompt", CORRECT = "correct", INCORRECT = "incorrect", CORRUPTED_PROMPT = "corrupted_prompt",
            TOKENS = "tokens", LOGIT_DIFF = "logit_diff", CORRUPTED_LOGIT_DIFF = "corrupted_logit_diff", LOGIT_LENS = "logit_lens",
            PER_LAYER = "per_layer", PER_HEAD = "per_head", PATCHING = "patching_", ATTRIBUTION = "attribution_", SHAPE = "_shape";

    private static final java.util.Set<String> RESULTS = java.util.Set.of(ResultColumns.ROW, TOKENS, LOGIT_DIFF, CORRUPTED_LOGIT_DIFF,
            LOGIT_LENS, PER_LAYER, PER_HEAD);

    private final String model;
    private final boolean prependBos;
    private final List<String> patching, attribution;
    private final boolean skipBadRows;
    private transient HookedTransformer loaded;

    /** A job that loads {@code model} (a folder or a known name) where it runs. */
    public PromptAnalysisJob(String model, boolean prependBos, List<PatchKind> patching, boolean skipBadRows) {
        this(model, prependBos, patching, List.of(), skipBadRows);
    }

    /** A job with attribution patching as well: each kind's estimate of its patching sweep, from one backward pass per prompt. */
    public PromptAnalysisJob(String model, boolean prependBos, List<PatchKind> patching, List<PatchKind> attribution, boolean skipBadRows) {
        this.model = model;
        this.prependBos = prependBos;
        this.patching = patching.stream().map(PatchKind::id).toList();
        this.attribution = attribution.stream().map(PatchKind::id).toList();
        this.skipBadRows = skipBadRows;
    }

    /** A job on a model already loaded here. */
    public static PromptAnalysisJob on(HookedTransformer model, boolean prependBos, List<PatchKind> patching, boolean skipBadRows) {
        return on(model, prependBos, patching, List.of(), skipBadRows);
    }

    /** A job with attribution patching on a model already loaded here. */
    public static PromptAnalysisJob on(HookedTransformer model, boolean prependBos, List<PatchKind> patching, List<PatchKind> attribution, boolean skipBadRows) {
        PromptAnalysisJob job = new PromptAnalysisJob(model.cfg().modelName(), prependBos, patching, attribution, skipBadRows);
        job.loaded = model;
        return job;
    }

    /** The result columns' types. */
    public ResultColumns columns() {
        ResultColumns c = new ResultColumns().add(TOKENS, "INTEGER[]").add(LOGIT_DIFF, "FLOAT").add(CORRUPTED_LOGIT_DIFF, "FLOAT")
                .add(LOGIT_LENS, "FLOAT[]").add(PER_LAYER, "FLOAT[]").add(PER_HEAD, "FLOAT[][]");
        for (String k : patching) c.add(PATCHING + k, "FLOAT[]").add(PATCHING + k + SHAPE, "INTEGER[]");
        for (String k : attribution) c.add(ATTRIBUTION + k, "FLOAT[]").add(ATTRIBUTION + k + SHAPE, "INTEGER[]");
        return c;
    }

    /** A description of the job for its shards' {@code job.json}: a resumed run must be the same job. */
    public dev.jlens.io.Json.Obj describe() {
        dev.jlens.io.Json.Obj job = new dev.jlens.io.Json.Obj().put("job", "batch").put("model", model).put("prepend_bos", new dev.jlens.io.Json.Bool(prependBos))
                .put("patching", dev.jlens.io.Json.Arr.ofStrings(patching)).put("skip_bad_rows", new dev.jlens.io.Json.Bool(skipBadRows));
        return attribution.isEmpty() ? job : job.put("attribution", dev.jlens.io.Json.Arr.ofStrings(attribution));
    }

    private synchronized HookedTransformer model() {
        if (loaded == null) loaded = HookedTransformer.fromPretrained(model);
        return loaded;
    }

    @Override
    public List<Map<String, Object>> apply(List<PromptRow> batch) {
        if (patching.isEmpty() && attribution.isEmpty()) return applyPadded(batch);
        List<Map<String, Object>> out = new ArrayList<>();
        for (PromptRow row : batch) {
            try {
                out.add(analyze(row));
            } catch (JlensException e) {
                out.add(bad(row, e));
            }
        }
        return out;
    }

    /**
     * The batch's prompts in one padded forward pass ({@link PaddedAnalysis}); each row is checked alone first, as
     * {@code analyze} checks an experiment of that one prompt, so a bad row stops the job or is skipped by itself.
     * Patching and attribution paste activations position by position between a prompt and its corrupted prompt,
     * so those run a prompt at a time instead.
     */
    private List<Map<String, Object>> applyPadded(List<PromptRow> batch) {
        Map<Integer, Map<String, Object>> failed = new LinkedHashMap<>();
        List<PaddedAnalysis.Prompt> good = new ArrayList<>();
        List<PromptRow> goodRows = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            PromptRow row = batch.get(i);
            try {
                Experiment e = experiment(row, List.of(), List.of());
                new ExperimentAnalysis(model()).estimate(e);
                int correct = model().tokenizer().encode(row.correct())[0], incorrect = model().tokenizer().encode(row.incorrect())[0];
                good.add(new PaddedAnalysis.Prompt(row.prompt(), correct, incorrect, row.corruptedPrompt()));
                goodRows.add(row);
            } catch (JlensException e) {
                failed.put(i, bad(row, e));
            }
        }
        List<PaddedAnalysis.Reading> readings = good.isEmpty() ? List.of()
                : PaddedAnalysis.run(model(), good, prependBos, goodRows.getFirst().where());
        List<Map<String, Object>> out = new ArrayList<>(batch.size());
        for (int i = 0, next = 0; i < batch.size(); i++) {
            if (failed.containsKey(i)) {
                out.add(failed.get(i));
                continue;
            }
            PaddedAnalysis.Reading r = readings.get(next);
            Map<String, Object> m = inputColumns(goodRows.get(next++));
            m.put(TOKENS, r.tokens());
            m.put(LOGIT_DIFF, r.logitDiff());
            m.put(CORRUPTED_LOGIT_DIFF, r.corruptedLogitDiff());
            m.put(LOGIT_LENS, r.logitLens());
            m.put(PER_LAYER, r.perLayer());
            m.put(PER_HEAD, r.perHead());
            out.add(m);
        }
        return out;
    }

    private Map<String, Object> bad(PromptRow row, JlensException e) {
        if (!skipBadRows) throw e;
        Map<String, Object> bad = new LinkedHashMap<>();
        bad.put(ResultColumns.ROW, row.row());
        bad.put(ResultColumns.ERROR, e.getMessage());
        return bad;
    }

    private static Map<String, Object> inputColumns(PromptRow row) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(ResultColumns.ROW, row.row());
        m.put(PROMPT, row.prompt());
        m.put(CORRECT, row.correct());
        m.put(INCORRECT, row.incorrect());
        m.put(CORRUPTED_PROMPT, row.corruptedPrompt());
        m.putAll(row.extra());
        return m;
    }

    /** The experiment of this one row, after the checks a row needs beyond the experiment's own. */
    private Experiment experiment(PromptRow row, List<PatchKind> kinds, List<PatchKind> attributed) {
        if ((!kinds.isEmpty() || !attributed.isEmpty()) && !row.hasCorruptedPrompt()) {
            throw new BadRow(row.where() + ": " + (kinds.isEmpty() ? "attribution patching" : "patching")
                    + " needs a \"corrupted_prompt\" (the run the clean activations are pasted into)");
        }
        for (String column : row.extra().keySet()) {
            if (RESULTS.contains(column) || column.startsWith(PATCHING) || column.startsWith(ATTRIBUTION) || column.equals(ResultColumns.ERROR)) {
                throw new BadRow(row.where() + ": column \"" + column + "\" has the name of a result column; rename it");
            }
        }
        return new Experiment(row.where(), null, prependBos, List.of(row.prompt()),
                List.of(new Experiment.AnswerPair(row.correct(), row.incorrect())),
                row.hasCorruptedPrompt() ? List.of(row.corruptedPrompt()) : null, kinds, attributed);
    }

    private Map<String, Object> analyze(PromptRow row) {
        List<PatchKind> kinds = patching.stream().map(k -> PatchKind.byId(k).orElseThrow()).toList();
        List<PatchKind> attributed = attribution.stream().map(k -> PatchKind.byId(k).orElseThrow()).toList();
        Experiment e = experiment(row, kinds, attributed);
        AnalysisResult r = new ExperimentAnalysis(model()).run(e);
        Map<String, Object> m = inputColumns(row);
        m.put(TOKENS, r.tokens().row(0));
        m.put(LOGIT_DIFF, r.perPromptLogitDiff().toArray()[0]);
        m.put(CORRUPTED_LOGIT_DIFF, r.corruptedAverageLogitDiff());
        m.put(LOGIT_LENS, r.logitLens().toArray());
        m.put(PER_LAYER, r.perLayer().toArray());
        Tensor perHead = r.perHead();
        float[][] heads = new float[perHead.shape(0)][];
        for (int l = 0; l < heads.length; l++) heads[l] = perHead.get(l).toArray();
        m.put(PER_HEAD, heads);
        for (Map.Entry<String, Tensor> sweep : r.patching().entrySet()) {
            m.put(PATCHING + sweep.getKey(), sweep.getValue().toArray());
            m.put(PATCHING + sweep.getKey() + SHAPE, sweep.getValue().shape());
        }
        for (Map.Entry<String, Tensor> estimate : r.attribution().entrySet()) {
            m.put(ATTRIBUTION + estimate.getKey(), estimate.getValue().toArray());
            m.put(ATTRIBUTION + estimate.getKey() + SHAPE, estimate.getValue().shape());
        }
        return m;
    }
}
