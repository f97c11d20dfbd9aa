package dev.jlens.experiment;

import dev.jlens.analysis.LogitDiff;
import dev.jlens.analysis.PatchingMetric;
import dev.jlens.analysis.GradientMetrics;
import dev.jlens.patching.Attribution;
import dev.jlens.patching.PatchKind;
import dev.jlens.patching.Patching;
import dev.jlens.sae.Saes;

import dev.jlens.JlensException;
import dev.jlens.cache.ActivationCache;
import dev.jlens.cache.ResidualStack;
import dev.jlens.cache.Slice;
import dev.jlens.cache.StackOptions;
import dev.jlens.model.CachedRun;
import dev.jlens.model.ForwardOptions;
import dev.jlens.model.HookedTransformer;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;
import dev.jlens.util.Progress;
import dev.jlens.util.PyRepr;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The seed notebook's whole analysis of an experiment, step by step as the notebook does it: logit
 * differences, the logit lens, direct logit attribution per layer and per head, the top heads, the
 * corrupted run, and the requested activation-patching sweeps with the normalized logit difference.
 *
 * @param model    the model, with whatever hooks travel with it
 * @param progress told of every run of the patching sweeps
 */
public record ExperimentAnalysis(HookedTransformer model, Progress progress) {
    public ExperimentAnalysis(HookedTransformer model) {
        this(model, Progress.NONE);
    }

    /** The experiment's analysis, its tensor work on the model's runtime (its pool) throughout. */
    public AnalysisResult run(Experiment e) {
        return model.runtime().call(() -> analyze(e));
    }

    private AnalysisResult analyze(Experiment e) {
        estimate(e).requireFitsInHeap(e.source(), model.runtime());
        if (!e.saes().isEmpty() && Saes.of(model).isEmpty()) {
            throw new JlensException(e.source() + ": \"saes\" lists " + e.saes().size() + " SAE(s), but the model running it has none spliced in"
                    + " (jlens analyze and report splice them in; the web UI does not)");
        }
        IntTensor tokens = model.toTokens(e.prompts(), e.prependBos());
        IntTensor answerTokens = answerTokens(e);
        CachedRun clean = model.runWithCache(tokens);
        ActivationCache cache = clean.cache();
        Tensor perPrompt = LogitDiff.perPrompt(clean.logits(), answerTokens);
        float average = perPrompt.mean();
        int n = e.prompts().size();

        // logit_diff_directions = W_U[:, correct] - W_U[:, incorrect], one [d_model] row per prompt
        Tensor directions = model.tokensToResidualDirections(answerTokens.column(0))
                .sub(model.tokensToResidualDirections(answerTokens.column(1))).reshape(n, model.cfg().dModel());

        Tensor finalResid = cache.get("resid_post", -1).get(":", -1, ":");
        Tensor scaledFinal = cache.applyLnToStack(finalResid, StackOptions.defaults().posSlice(Slice.at(-1)));
        float calculated = scaledFinal.mul(directions).sum() / n;

        // with attention and MLP in parallel (GPT-NeoX) there is no resid_mid between them to read the lens at
        boolean mid = !model.cfg().parallelAttnMlp();
        ResidualStack lens = cache.accumulatedResid(StackOptions.defaults().inclMid(mid).posSlice(Slice.at(-1)));
        ResidualStack layers = cache.decomposeResid(StackOptions.defaults().posSlice(Slice.at(-1)));
        ResidualStack heads = cache.stackHeadResults(StackOptions.defaults().posSlice(Slice.at(-1)));
        Tensor perHead = toLogitDiff(cache, heads.stack(), directions, n).reshape(model.cfg().nLayers(), model.cfg().nHeads());
        int[] topPositive = perHead.flatten().topk(3).indices().toArray();
        int[] topNegative = perHead.flatten().neg().topk(3).indices().toArray();

        IntTensor corruptedTokens = null;
        Float corruptedAverage = null;
        Map<String, Tensor> sweeps = new LinkedHashMap<>(), attribution = new LinkedHashMap<>();
        if (e.hasCorruptedPrompts()) {
            corruptedTokens = model.toTokens(e.corruptedPrompts(), e.prependBos());
            boolean patch = !e.patching().isEmpty();
            // The logit difference reads the last position only, so only its logits are computed; a patching
            // study's engine makes that run anyway, and its logits serve. (A model with hooks has no engine.)
            Patching.CorruptedRun run = patch && !model.hasInterventions() ? Patching.CorruptedRun.of(model, corruptedTokens) : null;
            Tensor corruptedLogits = run != null ? run.lastLogits()
                    : model.runWithHooks(corruptedTokens, ForwardOptions.LOGITS.withLastLogitsOnly(true), List.of()).logits();
            corruptedAverage = LogitDiff.average(corruptedLogits, answerTokens);
            if (patch) {
                PatchingMetric metric = LogitDiff.normalized(answerTokens, average, corruptedAverage);
                Patching patching = run != null ? new Patching(model, run, cache, metric) : new Patching(model, corruptedTokens, cache, metric);
                long total = e.patching().stream().mapToLong(k -> k.runs(patching)).sum();
                CumulativeProgress overall = new CumulativeProgress(progress, total);
                for (PatchKind kind : e.patching()) sweeps.put(kind.id(), kind.run(patching.withProgress(overall)));
            }
            if (!e.attribution().isEmpty()) {
                Attribution a = Attribution.of(model, cache, corruptedTokens, GradientMetrics.normalizedLogitDiff(answerTokens, average, corruptedAverage));
                for (PatchKind kind : e.attribution()) attribution.put(kind.id(), kind.attribute(a));
            }
        }
        List<List<String>> strTokens = new ArrayList<>();
        for (int i = 0; i < n; i++) strTokens.add(model.toStrTokens(tokens.row(i)));
        List<SaeFeatures> saeFeatures = Saes.of(model).isEmpty() ? List.of()
                : SaeFeatures.of(model, cache, tokens, answerTokens, average, corruptedTokens, corruptedAverage);
        return new AnalysisResult(e, model.cfg().modelName(), tokens, strTokens, answerTokens, perPrompt, average, calculated,
                lens.labels(), toLogitDiff(cache, lens.stack(), directions, n), layers.labels(), toLogitDiff(cache, layers.stack(), directions, n),
                heads.labels(), perHead, topPositive, topNegative, corruptedTokens, corruptedAverage, sweeps, cache, attribution, saeFeatures);
    }

    /**
     * Checks what can be checked before anything runs, from the tokens alone: every prompt fits the model's context
     * (the message names the prompt and n_ctx), the prompts are equally long, and so are the corrupted ones (as long as
     * the prompts when patching), every answer is one token; and returns what the analysis will hold in memory.
     */
    public MemoryEstimate estimate(Experiment e) {
        int positions = maxLength(e, "prompts", e.prompts());
        requireEqualLengths(e, "prompts", e.prompts(), e.prependBos());
        answerTokens(e);
        if (e.hasCorruptedPrompts()) {
            positions = Math.max(positions, maxLength(e, "corrupted_prompts", e.corruptedPrompts()));
            requireEqualLengths(e, "corrupted_prompts", e.corruptedPrompts(), e.prependBos());
            int clean = model.tokenization().encode(e.prompts().getFirst(), e.prependBos()).length;
            int corrupted = model.tokenization().encode(e.corruptedPrompts().getFirst(), e.prependBos()).length;
            if ((!e.patching().isEmpty() || !e.attribution().isEmpty()) && corrupted != clean) {
                throw new JlensException(e.source() + ": corrupted prompts are " + corrupted + " tokens long but the prompts are "
                        + clean + "; patching pastes activations position by position, so they must be equally long");
            }
        }
        return MemoryEstimate.ofAnalysis(model.cfg(), e.prompts().size(), positions, e.hasCorruptedPrompts(), e.patching(), model.runtime().parallel().size());
    }

    private int maxLength(Experiment e, String field, List<String> prompts) {
        int max = 0, nCtx = model.cfg().nCtx();
        for (int i = 0; i < prompts.size(); i++) {
            int len = model.tokenization().encode(prompts.get(i), e.prependBos()).length;
            if (len > nCtx) {
                throw new JlensException(e.source() + ": " + field + "[" + i + "] is " + len + " tokens long, more than the model's context of "
                        + nCtx + " tokens (n_ctx)");
            }
            if (len == 0) {
                throw new JlensException(e.source() + ": " + field + "[" + i + "] has no tokens (an empty text without BOS)");
            }
            max = Math.max(max, len);
        }
        return max;
    }

    /** The seed's residual_stack_to_logit_diff: scale by the cached final layer norm, project, average over prompts. */
    private static Tensor toLogitDiff(ActivationCache cache, Tensor stack, Tensor directions, int prompts) {
        Tensor scaled = cache.applyLnToStack(stack, StackOptions.defaults().posSlice(Slice.at(-1)));
        return Tensor.einsum("... batch d_model, batch d_model -> ...", scaled, directions).div(prompts);
    }

    private IntTensor answerTokens(Experiment e) {
        int[][] ids = new int[e.answers().size()][2];
        for (int i = 0; i < ids.length; i++) {
            Experiment.AnswerPair a = e.answers().get(i);
            ids[i][0] = singleToken(e, i, 0, a.correct());
            ids[i][1] = singleToken(e, i, 1, a.incorrect());
        }
        return IntTensor.of(ids);
    }

    private int singleToken(Experiment e, int prompt, int side, String answer) {
        int[] ids = model.tokenizer().encode(answer);
        if (ids.length != 1) {
            throw new JlensException(e.source() + ": answers[" + prompt + "][" + side + "] " + PyRepr.str(answer) + " is " + ids.length
                    + " tokens " + PyRepr.list(model.toStrTokens(ids)) + "; each answer must be a single token (mind the leading space)");
        }
        return ids[0];
    }

    /** The logit difference is read at the last position, so every prompt must end there. */
    private void requireEqualLengths(Experiment e, String field, List<String> prompts, boolean bos) {
        int first = model.tokenization().encode(prompts.getFirst(), bos).length;
        for (int i = 1; i < prompts.size(); i++) {
            int len = model.tokenization().encode(prompts.get(i), bos).length;
            if (len != first) {
                throw new JlensException(e.source() + ": " + field + "[" + i + "] is " + len + " tokens but " + field + "[0] is " + first
                        + "; the logit difference is read at the last position, so all prompts must have the same number of tokens");
            }
        }
    }

    /** Turns the per-sweep (done, total) reports of several sweeps into one running count. */
    private static final class CumulativeProgress implements Progress {
        private final Progress target;
        private final long total;
        private long base, lastDone, lastTotal;

        CumulativeProgress(Progress target, long total) {
            this.target = target;
            this.total = total;
        }

        @Override
        public void update(long done, long sweepTotal) {
            if (done <= lastDone) base += lastTotal;
            lastDone = done;
            lastTotal = sweepTotal;
            target.update(base + done, total);
        }
    }
}
