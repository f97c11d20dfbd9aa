package dev.jlens.model;

import dev.jlens.cache.ActivationCache;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Kernels;
import dev.jlens.tensor.Parallel;
import dev.jlens.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * Runs many patched versions of one corrupted run while computing only what a patch can change. A patch
 * at layer l and position p leaves every earlier layer as in the corrupted run, and every earlier position
 * at every layer too (attention is causal), so a patched run is a {@link Job}: the residual stream of
 * positions p.. entering some layer, run to the end with the corrupted run's keys and values of positions
 * before p, and only the last position's logits computed. Jobs are batched: at each layer the rows of all
 * jobs that have started go through one product per weight matrix.
 *
 * <p>The arithmetic is the forward pass's own, row by row, so a job's logits are the same bits as a full
 * forward pass with the patch applied by a hook.
 */
public final class PatchEngine {
    /** Floats of per-layer buffers a chunk of jobs may use (64 MB): sets how many rows run together. */
    private static final long WORKSPACE_FLOATS = 1L << 24;

    /**
     * A patched run from layer {@code startLayer} (n_layers: only the final layer norm and unembedding),
     * whose residual stream at positions {@code startPos..} is {@code residual} [batch, pos - startPos, d_model].
     */
    public record Job(int startLayer, int startPos, Tensor residual) {}

    private final ModelConfig cfg;
    private final ModelWeights w;
    private final ActivationCache corrupted;
    private final int batch, pos, he;
    private final float[][] keys, values;  // per layer: the corrupted run's k and v, [batch, pos, heads*d_head]
    private final Tensor corruptedLogits;
    private Workspace workspace;  // reused by every chunk of every run; grown when a chunk needs more rows

    private PatchEngine(HookedTransformer model, IntTensor tokens, ActivationCache corrupted, Tensor corruptedLogits) {
        this.corruptedLogits = corruptedLogits;
        this.cfg = model.cfg();
        this.w = model.weights();
        this.corrupted = corrupted;
        this.batch = tokens.shape(0);
        this.pos = tokens.shape(1);
        this.he = cfg.nHeads() * cfg.dHead();
        this.keys = new float[cfg.nLayers()][];
        this.values = new float[cfg.nLayers()][];
        for (int l = 0; l < cfg.nLayers(); l++) {
            keys[l] = corrupted.get("k", l).toArray();
            values[l] = corrupted.get("v", l).toArray();
        }
    }

    /**
     * Runs the corrupted tokens once, caching the residual stream, keys and values of every layer, the last
     * logits, and the activations named in {@code extra} (short names such as "z", "pattern", "q").
     */
    public static PatchEngine forCorrupted(HookedTransformer model, IntTensor corruptedTokens, Set<String> extra) {
        Set<String> wanted = new java.util.HashSet<>(Set.of("resid_pre", "resid_mid", "resid_post", "k", "v"));
        wanted.addAll(extra);
        CacheOptions options = CacheOptions.ALL.withNamesFilter(name -> {
            String site = name.substring(name.lastIndexOf("hook_") + 5);
            return name.startsWith("blocks.") && wanted.contains(site);
        }).withForward(ForwardOptions.LOGITS.withLastLogitsOnly(true));
        CachedRun run = model.runWithCache(corruptedTokens, options);
        return new PatchEngine(model, corruptedTokens, run.cache(), run.logits());
    }

    /** The corrupted run's last-position logits [batch, 1, d_vocab]: the result of a patch that changes nothing. */
    public Tensor corruptedLogits() {
        return corruptedLogits;
    }

    public ActivationCache corrupted() {
        return corrupted;
    }

    public int batch() {
        return batch;
    }

    public int positions() {
        return pos;
    }

    /** The corrupted residual stream entering layer {@code l} (the final residual for l = n_layers). */
    public Tensor residPre(int l) {
        return l == cfg.nLayers() ? corrupted.get("resid_post", l - 1) : corrupted.get("resid_pre", l);
    }

    // ---- one block's pieces, for building jobs ------------------------------------------------------

    /** resid_post of rows [batch, n, d_model] given their resid_mid at layer {@code l}. */
    public Tensor residPostFromResidMid(int l, Tensor residMid) {
        float[] out = LayerMath.mlpResidual(cfg, w.layers[l], residMid.data(), residMid.offset(), residMid.size() / cfg.dModel());
        return Tensor.of(out, residMid.shape());
    }

    /** attn_out of rows [batch, n, heads, d_head] of z at layer {@code l}: [batch, n, d_model]. */
    public Tensor attnOutFromZ(int l, Tensor z) {
        int rows = z.size() / he;
        float[] out = LayerMath.linear(z.data(), z.offset(), rows, w.layers[l].wO(), w.layers[l].bO());
        return Tensor.of(out, z.shape(0), z.shape(1), cfg.dModel());
    }

    /** z of queries {@code from..} at layer {@code l} from (patched) q, k, v [batch, pos, heads, d_head]. */
    public Tensor zFrom(int l, Tensor q, Tensor k, Tensor v, int from) {
        int n = pos - from, nh = cfg.nHeads(), e = cfg.dHead();
        float[] qd = q.toArray(), kd = k.toArray(), vd = v.toArray();
        float[] z = new float[batch * n * he];
        Parallel.forEach(batch * nh, bh -> {
            int b = bh / nh, head = bh % nh;
            float[] scores = new float[n * pos];
            Kernels.attentionScores(qd, ((b * pos + from) * nh + head) * e, he, n, from, kd, b * pos * he + head * e, he, pos, e,
                    cfg.attnScale(), null, 0, scores, 0, pos);
            for (int t = 0; t < n; t++) Kernels.softmax(scores, t * pos, pos);
            Kernels.attentionValues(scores, 0, pos, n, pos, vd, b * pos * he + head * e, he, e, z, (b * n * nh + head) * e, he);
        });
        return Tensor.of(z, batch, n, nh, e);
    }

    /** z of queries {@code from..} at layer {@code l} from a (patched) pattern [batch, heads, pos, pos] and the corrupted v. */
    public Tensor zFromPattern(int l, Tensor pattern, int from) {
        int n = pos - from, nh = cfg.nHeads(), e = cfg.dHead();
        float[] pd = pattern.toArray(), vd = values[l];
        float[] z = new float[batch * n * he];
        Parallel.forEach(batch * nh, bh -> {
            int b = bh / nh, head = bh % nh;
            Kernels.attentionValues(pd, ((b * nh + head) * pos + from) * pos, pos, n, pos, vd, b * pos * he + head * e, he, e,
                    z, (b * n * nh + head) * e, he);
        });
        return Tensor.of(z, batch, n, nh, e);
    }

    // ---- running jobs -------------------------------------------------------------------------------

    /**
     * Runs the jobs and returns each one's last-position logits [batch, 1, d_vocab], in order. {@code done}
     * hears the index of each finished job.
     */
    public synchronized List<Tensor> run(List<Job> jobs, IntConsumer done) {
        List<Tensor> out = new ArrayList<>(jobs.size());
        int budget = rowBudget();
        int from = 0;
        while (from < jobs.size()) {
            int to = from, rows = 0;
            while (to < jobs.size() && (to == from || rows + rowsOf(jobs.get(to)) <= budget)) rows += rowsOf(jobs.get(to++));
            if (workspace == null || workspace.rows < rows) workspace = new Workspace(Math.max(rows, Math.min(budget, batch * pos * 4)));
            out.addAll(runChunk(jobs.subList(from, to), workspace));
            for (int i = from; i < to; i++) done.accept(i);
            from = to;
        }
        return out;
    }

    /** Rows run together: as many as keep the workspace near {@link #WORKSPACE_FLOATS}, and at least one job's. */
    private int rowBudget() {
        return rowBudget(cfg, batch, pos);
    }

    private static int rowBudget(ModelConfig cfg, int batch, int pos) {
        return (int) Math.max((long) batch * pos, WORKSPACE_FLOATS / Workspace.floatsPerRow(cfg));
    }

    /**
     * The most floats an engine's workspace takes for {@code batch} prompts of {@code pos} tokens when no call runs
     * more than {@code maxJobs} jobs (for memory estimates): it grows to the rows of a chunk of jobs, at least four
     * jobs' worth, at most the row budget.
     */
    public static long workspaceFloats(ModelConfig cfg, int batch, int pos, long maxJobs) {
        long rows = (long) batch * pos;
        return Math.min(rowBudget(cfg, batch, pos), Math.max(4 * rows, maxJobs * rows)) * Workspace.floatsPerRow(cfg);
    }

    private int rowsOf(Job j) {
        return batch * (pos - j.startPos());
    }

    /**
     * The per-layer rows of a chunk of jobs, allocated once and reused by every layer: a sweep then makes no
     * garbage per layer (on gpt2-large it had filled the old generation with gigabytes of dead arrays).
     */
    private final class Workspace {
        final int rows;
        final float[] x, normalized, scale, qkv, z, residMid, post;
        final LayerMath.MlpScratch mlp;

        Workspace(int rows) {
            int d = cfg.dModel();
            this.rows = rows;
            x = new float[rows * d];
            normalized = new float[rows * d];
            scale = new float[rows];
            qkv = new float[rows * 3 * he];
            z = new float[rows * he];
            residMid = new float[rows * d];
            post = new float[rows * d];
            mlp = new LayerMath.MlpScratch(rows, cfg);
        }

        static long floatsPerRow(ModelConfig cfg) {
            return 6L * cfg.dModel() + 4L * cfg.nHeads() * cfg.dHead() + cfg.dMlp() + 2;  // the arrays above, per row
        }
    }

    /** Per-thread keys, values and scores of one (job, batch row), grown as needed and reused. */
    private static final ThreadLocal<float[][]> ATTENTION_SCRATCH = ThreadLocal.withInitial(() -> new float[3][0]);

    private static float[] scratch(int which, int size) {
        float[][] s = ATTENTION_SCRATCH.get();
        if (s[which].length < size) s[which] = new float[size];
        return s[which];
    }

    private List<Tensor> runChunk(List<Job> jobs, Workspace ws) {
        int d = cfg.dModel(), n = jobs.size();
        float[][] state = new float[n][];
        int first = cfg.nLayers();
        for (int g = 0; g < n; g++) {
            Job job = jobs.get(g);
            int expected = rowsOf(job) * d;
            if (job.residual().size() != expected) {
                throw new IllegalArgumentException("job " + g + ": residual has " + job.residual().size() + " values, expected " + expected);
            }
            state[g] = job.residual().toArray();
            first = Math.min(first, job.startLayer());
        }
        for (int l = first; l < cfg.nLayers(); l++) {
            List<Integer> active = new ArrayList<>();
            for (int g = 0; g < n; g++) if (jobs.get(g).startLayer() <= l) active.add(g);
            int[] rowStart = new int[active.size() + 1];
            for (int a = 0; a < active.size(); a++) rowStart[a + 1] = rowStart[a] + rowsOf(jobs.get(active.get(a)));
            float[] x = ws.x;
            for (int a = 0; a < active.size(); a++) System.arraycopy(state[active.get(a)], 0, x, rowStart[a] * d, state[active.get(a)].length);
            if (l == cfg.nLayers() - 1) {
                // Only the last position's logits are read: the last block needs every position's keys
                // and values, but attention, output and MLP for the last position alone.
                float[] post = lastBlock(l, active, jobs, rowStart, ws);
                for (int a = 0; a < active.size(); a++) {
                    int len = pos - jobs.get(active.get(a)).startPos();
                    for (int b = 0; b < batch; b++) {
                        System.arraycopy(post, (a * batch + b) * d, state[active.get(a)], (b * len + len - 1) * d, d);
                    }
                }
            } else {
                float[] post = block(l, active, jobs, rowStart, ws);
                for (int a = 0; a < active.size(); a++) {
                    float[] s = state[active.get(a)];
                    System.arraycopy(post, rowStart[a] * d, s, 0, s.length);
                }
            }
        }
        // the last position of every batch row of every job, through ln_final and the unembedding
        float[] last = new float[n * batch * d];
        for (int g = 0; g < n; g++) {
            int len = pos - jobs.get(g).startPos();
            for (int b = 0; b < batch; b++) System.arraycopy(state[g], (b * len + len - 1) * d, last, (g * batch + b) * d, d);
        }
        float[] normalized = LayerMath.layerNorm(last, 0, n * batch, d, cfg.eps(), w.lnfW, w.lnfB);
        float[] logits = LayerMath.linear(normalized, 0, n * batch, w.wU, w.bU);
        int v = cfg.dVocabOut();
        List<Tensor> out = new ArrayList<>(n);
        for (int g = 0; g < n; g++) out.add(Tensor.wrap(logits, g * batch * v, batch, 1, v));
        return out;
    }

    /** ln1 and the fused q, k, v product of the workspace's {@code rows} rows of x, into {@code ws.qkv}. */
    private void queriesKeysValues(ModelWeights.Layer lw, int rows, Workspace ws) {
        LayerMath.layerNormInto(ws.x, 0, rows, cfg.dModel(), cfg.eps(), lw.ln1w(), lw.ln1b(), ws.normalized, ws.scale);
        lw.wQKV().multiply(ws.normalized, 0, rows, lw.bQKV(), ws.qkv, 0);
    }

    /**
     * Keys (which = 0) or values (1) of every position for one (job, batch row) into a per-thread scratch: the
     * corrupted run's before {@code p}, the job's own, from its rows of qkv, from {@code p}.
     */
    private float[] keysOrValues(int which, int l, int b, int p, int row0, float[] qkv) {
        float[] corrupted = which == 0 ? keys[l] : values[l];
        float[] out = scratch(which, pos * he);
        System.arraycopy(corrupted, b * pos * he, out, 0, p * he);
        for (int t = 0; t < pos - p; t++) System.arraycopy(qkv, (row0 + t) * 3 * he + (which + 1) * he, out, (p + t) * he, he);
        return out;
    }

    /**
     * The last block for the last position of each (job, batch row) only: resid_post rows in the order
     * (active job, batch row). Keys and values still come from every row.
     */
    private float[] lastBlock(int l, List<Integer> active, List<Job> jobs, int[] rowStart, Workspace ws) {
        ModelWeights.Layer lw = w.layers[l];
        int d = cfg.dModel(), nh = cfg.nHeads(), e = cfg.dHead(), rows = rowStart[active.size()], outRows = active.size() * batch;
        queriesKeysValues(lw, rows, ws);
        float[] x = ws.x, qkv = ws.qkv, z = ws.z, residPre = ws.post;
        java.util.Arrays.fill(z, 0, outRows * he, 0f);
        Parallel.forEach(outRows, ab -> {
            int a = ab / batch, b = ab % batch;
            int p = jobs.get(active.get(a)).startPos(), len = pos - p, row0 = rowStart[a] + b * len, last = row0 + len - 1;
            System.arraycopy(x, last * d, residPre, ab * d, d);
            float[] k = keysOrValues(0, l, b, p, row0, qkv), v = keysOrValues(1, l, b, p, row0, qkv);
            float[] scores = scratch(2, pos);
            for (int head = 0; head < nh; head++) {
                Kernels.attentionScores(qkv, last * 3 * he + head * e, 3 * he, 1, pos - 1, k, head * e, he, pos, e,
                        cfg.attnScale(), null, 0, scores, 0, pos);
                Kernels.softmax(scores, 0, pos);
                Kernels.attentionValues(scores, 0, pos, 1, pos, v, head * e, he, e, z, ab * he + head * e, he);
            }
        });
        return attentionOutputAndMlp(lw, residPre, outRows, ws);
    }

    /** One block over the stacked rows of the active jobs; returns their resid_post (in the workspace). */
    private float[] block(int l, List<Integer> active, List<Job> jobs, int[] rowStart, Workspace ws) {
        ModelWeights.Layer lw = w.layers[l];
        int nh = cfg.nHeads(), e = cfg.dHead(), rows = rowStart[active.size()];
        queriesKeysValues(lw, rows, ws);
        float[] qkv = ws.qkv, z = ws.z;
        java.util.Arrays.fill(z, 0, rows * he, 0f);
        Parallel.forEach(active.size() * batch, ab -> {
            int a = ab / batch, b = ab % batch;
            int p = jobs.get(active.get(a)).startPos(), len = pos - p, row0 = rowStart[a] + b * len;
            float[] k = keysOrValues(0, l, b, p, row0, qkv), v = keysOrValues(1, l, b, p, row0, qkv);
            float[] scores = scratch(2, len * pos);
            for (int head = 0; head < nh; head++) {
                Kernels.attentionScores(qkv, row0 * 3 * he + head * e, 3 * he, len, p, k, head * e, he, pos, e,
                        cfg.attnScale(), null, 0, scores, 0, pos);
                for (int t = 0; t < len; t++) Kernels.softmax(scores, t * pos, pos);
                Kernels.attentionValues(scores, 0, pos, len, pos, v, head * e, he, e, z, row0 * he + head * e, he);
            }
        });
        return attentionOutputAndMlp(lw, ws.x, rows, ws);
    }

    /** resid_post = resid_mid + MLP(resid_mid), resid_mid = residPre + z W_O + b_O, for {@code rows} rows; in {@code ws.post}. */
    private float[] attentionOutputAndMlp(ModelWeights.Layer lw, float[] residPre, int rows, Workspace ws) {
        int d = cfg.dModel();
        lw.wO().multiply(ws.z, 0, rows, lw.bO(), ws.residMid, 0);
        Kernels.add(residPre, 0, ws.residMid, 0, ws.residMid, 0, rows * d);
        LayerMath.mlpResidualInto(cfg, lw, ws.residMid, 0, rows, ws.mlp, ws.post);
        return ws.post;
    }
}
