package dev.jlens.patching;

import dev.jlens.analysis.PatchingMetric;

import dev.jlens.cache.ActivationCache;
import dev.jlens.hooks.ActName;
import dev.jlens.model.PatchEngine;
import dev.jlens.tensor.Index;
import dev.jlens.tensor.Tensor;
import dev.jlens.util.Progress;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A patching sweep through the {@link PatchEngine}: for each index the clean activation is pasted into a
 * copy of the corrupted one with the sweep's own setter, the first position it changes is found, the rest
 * of that layer is recomputed for positions from there, and the engine runs the remaining layers. A patch
 * that changes nothing (clean and corrupted agree there, as on a shared prefix) costs no run at all.
 */
final class FastSweep {
    private final PatchEngine engine;
    private final ActivationCache clean;
    private final PatchingMetric metric;
    private final Progress progress;

    FastSweep(PatchEngine engine, ActivationCache clean, PatchingMetric metric, Progress progress) {
        this.engine = engine;
        this.clean = clean;
        this.metric = metric;
        this.progress = progress;
    }

    Tensor run(PatchSite site, Patching.PatchSetter setter, int[] shape) {
        Tensor out = Tensor.zeros(shape);
        int total = out.size();
        float unchanged = metric.apply(engine.corruptedLogits());
        List<PatchEngine.Job> jobs = new ArrayList<>();
        List<Integer> slots = new ArrayList<>();
        int[] index = new int[shape.length];
        int done = 0;
        for (int i = 0; i < total; i++) {
            PatchEngine.Job job = job(site, setter, index.clone());
            if (job == null) {
                out.data()[i] = unchanged;
                progress.update(++done, total);
            } else {
                jobs.add(job);
                slots.add(i);
            }
            for (int d = shape.length - 1; d >= 0 && ++index[d] == shape[d]; d--) index[d] = 0;
            if (jobs.size() >= Patching.JOBS_PER_BATCH || (i == total - 1 && !jobs.isEmpty())) {
                int base = done;
                List<Tensor> logits = engine.run(jobs, j -> progress.update(base + j + 1, total));
                for (int j = 0; j < jobs.size(); j++) out.data()[slots.get(j)] = metric.apply(logits.get(j));
                done += jobs.size();
                jobs.clear();
                slots.clear();
            }
        }
        return out;
    }

    /** The patched run of one index, or null when the patch changes nothing. */
    private PatchEngine.Job job(PatchSite site, Patching.PatchSetter setter, int[] index) {
        int l = index[0];
        String hook = ActName.get(site.actName(), l);
        Tensor corrupted = engine.corrupted().get(hook);
        Tensor patched = corrupted.copy();
        setter.patch(patched, index, clean.get(hook));
        int from = firstChange(corrupted, patched, site.positionDim());
        return from < 0 ? null : site.recompute().from(this, l, from, patched);
    }

    // ---- the recomputation from each site, for PatchSite ------------------------------------------------

    PatchEngine.Job fromResidPre(int l, int from, Tensor patched) {
        return new PatchEngine.Job(l, from, suffix(patched, from));
    }

    PatchEngine.Job fromResidMid(int l, int from, Tensor patched) {
        return afterMid(l, from, suffix(patched, from));
    }

    PatchEngine.Job fromAttnOut(int l, int from, Tensor patched) {
        return afterAttnOut(l, from, suffix(patched, from));
    }

    PatchEngine.Job fromMlpOut(int l, int from, Tensor patched) {
        // with attention and MLP in parallel there is no resid_mid: resid_post = (resid_pre + attn_out) + mlp_out, as the block adds
        Tensor before = engine.parallelAttnMlp() ? suffix(engine.residPre(l), from).add(suffix(corrupted("attn_out", l), from)) : suffix(corrupted("resid_mid", l), from);
        return new PatchEngine.Job(l + 1, from, before.add(suffix(patched, from)));
    }

    PatchEngine.Job fromZ(int l, int from, Tensor patched) {
        return afterZ(l, from, suffix(patched, from));
    }

    PatchEngine.Job fromQ(int l, int from, Tensor patched) {
        return afterZ(l, from, engine.zFrom(l, patched, corrupted("k", l), corrupted("v", l), from));
    }

    PatchEngine.Job fromK(int l, int from, Tensor patched) {
        return afterZ(l, from, engine.zFrom(l, corrupted("q", l), patched, corrupted("v", l), from));
    }

    PatchEngine.Job fromV(int l, int from, Tensor patched) {
        return afterZ(l, from, engine.zFrom(l, corrupted("q", l), corrupted("k", l), patched, from));
    }

    PatchEngine.Job fromPattern(int l, int from, Tensor patched) {
        return afterZ(l, from, engine.zFromPattern(l, patched, from));
    }

    private Tensor corrupted(String name, int l) {
        return engine.corrupted().get(name, l);
    }

    private PatchEngine.Job afterZ(int l, int from, Tensor z) {
        return afterAttnOut(l, from, engine.attnOutFromZ(l, z));
    }

    private PatchEngine.Job afterAttnOut(int l, int from, Tensor attnOut) {
        return new PatchEngine.Job(l + 1, from, engine.residPostFromAttnOut(l, suffix(engine.residPre(l), from), attnOut));
    }

    private PatchEngine.Job afterMid(int l, int from, Tensor residMid) {
        return new PatchEngine.Job(l + 1, from, engine.residPostFromResidMid(l, residMid));
    }

    /** Positions {@code from..} of a [batch, pos, ...] activation. */
    private static Tensor suffix(Tensor t, int from) {
        return t.get(":", Index.range(from, null));
    }

    /**
     * The first index along {@code dim} where the two tensors differ (as {@link Float#floatToIntBits}: a sign of zero
     * counts, NaN payloads do not), or -1. {@link Arrays#mismatch} compares with vector instructions even before the
     * JIT compiles this method, which a cold run's few hundred jobs would otherwise spend interpreting.
     */
    static int firstChange(Tensor a, Tensor b, int dim) {
        int[] shape = a.shape();
        int outer = 1, inner = 1;
        for (int i = 0; i < dim; i++) outer *= shape[i];
        for (int i = dim + 1; i < shape.length; i++) inner *= shape[i];
        int first = -1;
        float[] ad = a.data(), bd = b.data();
        for (int o = 0; o < outer; o++) {
            int at = o * shape[dim] * inner, length = (first < 0 ? shape[dim] : first) * inner;
            int differs = Arrays.mismatch(ad, a.offset() + at, a.offset() + at + length, bd, b.offset() + at, b.offset() + at + length);
            if (differs >= 0) first = differs / inner;
        }
        return first;
    }
}
