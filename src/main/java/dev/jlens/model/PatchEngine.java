package dev.jlens.model;

import dev.jlens.cache.ActivationCache;
import dev.jlens.tensor.IntTensor;
import dev.jlens.hooks.HookedRun;
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
 * <p>Each layer runs the forward pass's own {@link TransformerBlock} on the stacked rows, so a job's logits
 * are the same bits as a full forward pass with the patch applied by a hook.
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
    private final ForwardPass forward;
    private final JlensRuntime runtime;  // the model's: its kernels run on the model's pool
    private final ActivationCache corrupted;
    private final int batch, pos;
    private final PastKeyValues.Prefix corruptedKeys;  // the corrupted run's k and v per layer
    private final Tensor corruptedLogits;
    private final HookedRun noHooks;
    private final Buffers buffers = Buffers.reused();  // every chunk of every run reuses them (runs are synchronized)

    private PatchEngine(HookedTransformer model, IntTensor tokens, ActivationCache corrupted, Tensor corruptedLogits) {
        this.corruptedLogits = corruptedLogits;
        this.cfg = model.cfg();
        this.forward = model.forwardPass();
        this.runtime = model.runtime();
        this.corrupted = corrupted;
        this.batch = tokens.shape(0);
        this.pos = tokens.shape(1);
        float[][] keys = new float[cfg.nLayers()][], values = new float[cfg.nLayers()][];
        // the keys attention reads: after the rotary embedding when there is one
        String keyName = cfg.positionalEmbeddingType() == PositionalEmbeddingType.ROTARY ? "rot_k" : "k";
        for (int l = 0; l < cfg.nLayers(); l++) {
            keys[l] = corrupted.get(keyName, l).toArray();
            values[l] = corrupted.get("v", l).toArray();
        }
        this.corruptedKeys = new PastKeyValues.Prefix(keys, values, pos, cfg.kvWidth());
        this.noHooks = dev.jlens.hooks.HookedRun.none(new dev.jlens.hooks.HookPoints(cfg.nLayers()));
    }

    /**
     * Runs the corrupted tokens once, caching the residual stream, keys and values of every layer, the last
     * logits, and the activations named in {@code extra} (short names such as "z", "pattern", "q").
     */
    public static PatchEngine forCorrupted(HookedTransformer model, IntTensor corruptedTokens, Set<String> extra) {
        if (model.hasInterventions()) {
            // the engine runs the blocks without hooks: it must never silently drop the model's
            throw new IllegalArgumentException("the patching engine cannot run a model with hooks or spliced modules; patch it one forward pass per index (Patching.plain())");
        }
        Set<String> wanted = new java.util.HashSet<>(Set.of("resid_pre", "resid_mid", "resid_post", "k", "rot_k", "v"));
        if (model.cfg().parallelAttnMlp()) wanted.add("attn_out");  // patching mlp_out: resid_post = resid_pre + attn_out + mlp_out
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

    // ---- entering a block part-way, for building jobs -----------------------------------------------

    /** A hook-free run of rows [batch, n] with fresh buffers, for the part-way entries below. */
    private BlockRun partWay(int n) {
        return new BlockRun(RowLayout.rectangle(batch, n, pos - n), null, null, noHooks, Buffers.FRESH);
    }

    /** resid_post of rows [batch, n, d_model] given their resid_mid at layer {@code l}. */
    public Tensor residPostFromResidMid(int l, Tensor residMid) {
        return runtime.call(() -> forward.block(l).fromResidMid(residMid, partWay(residMid.shape(1))));
    }

    /**
     * resid_post of rows [batch, n, d_model] at layer {@code l} given their resid_pre and (patched) attn_out:
     * through resid_mid and the MLP, or with attention and MLP in parallel, the MLP of resid_pre added.
     */
    public Tensor residPostFromAttnOut(int l, Tensor residPre, Tensor attnOut) {
        Tensor rows = residPre.copy(), out = attnOut.copy();  // the block reads dense rows; the sweep passes suffix views
        return runtime.call(() -> forward.block(l).fromAttnOut(rows, out, partWay(rows.shape(1))));
    }

    /** Whether attention and MLP both read resid_pre (GPT-NeoX): the model has no resid_mid. */
    public boolean parallelAttnMlp() {
        return cfg.parallelAttnMlp();
    }

    /** attn_out of rows [batch, n, heads, d_head] of z at layer {@code l}: [batch, n, d_model]. */
    public Tensor attnOutFromZ(int l, Tensor z) {
        return runtime.call(() -> forward.block(l).attentionOutput(z, partWay(z.shape(1))));
    }

    /** z of queries {@code from..} at layer {@code l} from (patched) q, k, v [batch, pos, heads, d_head]. */
    public Tensor zFrom(int l, Tensor q, Tensor k, Tensor v, int from) {
        int n = pos - from;
        if (cfg.positionalEmbeddingType() == PositionalEmbeddingType.ROTARY) {
            // hook_q and hook_k come before the rotary embedding, which the block applies to every position
            BlockRun all = new BlockRun(RowLayout.rectangle(batch, pos, 0), null, null, noHooks, Buffers.FRESH);
            q = forward.block(l).rotate(q, all);
            k = forward.block(l).rotate(k, all);
        }
        float[][] keys = new float[cfg.nLayers()][], values = new float[cfg.nLayers()][];
        keys[l] = k.toArray();
        values[l] = v.toArray();
        // the queries, keys and values of positions from.. as this run's rows; the earlier keys and values as its past
        BlockRun run = new BlockRun(RowLayout.rectangle(batch, n, from), new PastKeyValues.Prefix(keys, values, pos, cfg.kvWidth()), null, noHooks, Buffers.FRESH);
        Tensor qr = q, kr = k;
        return runtime.call(() -> forward.block(l).attend(suffixRows(qr, from), suffixRows(kr, from), suffixRows(v, from), run));
    }

    private static dev.jlens.model.Attention.Rows suffixRows(Tensor t, int from) {
        Tensor suffix = t.get(":", dev.jlens.tensor.Index.range(from, null));
        return new Attention.Rows(suffix.toArray(), 0, t.shape(2) * t.shape(3));
    }

    /** z of queries {@code from..} at layer {@code l} from a (patched) pattern [batch, heads, pos, pos] and the corrupted v. */
    public Tensor zFromPattern(int l, Tensor pattern, int from) {
        return runtime.call(() -> forward.block(l).zFromPattern(pattern, corruptedKeys.values(l), from));
    }

    // ---- running jobs -------------------------------------------------------------------------------

    /**
     * Runs the jobs and returns each one's last-position logits [batch, 1, d_vocab], in order. {@code done}
     * hears the index of each finished job.
     */
    public synchronized List<Tensor> run(List<Job> jobs, IntConsumer done) {
        return runtime.call(() -> runOnThisThread(jobs, done));
    }

    private List<Tensor> runOnThisThread(List<Job> jobs, IntConsumer done) {
        List<Tensor> out = new ArrayList<>(jobs.size());
        int budget = rowBudget(cfg, batch, pos);
        int from = 0;
        while (from < jobs.size()) {
            int to = from, rows = 0;
            while (to < jobs.size() && (to == from || rows + rowsOf(jobs.get(to)) <= budget)) rows += rowsOf(jobs.get(to++));
            out.addAll(runChunk(jobs.subList(from, to)));
            for (int i = from; i < to; i++) done.accept(i);
            from = to;
        }
        return out;
    }

    /** Rows run together: as many as keep the buffers near {@link #WORKSPACE_FLOATS}, and at least one job's. */
    private static int rowBudget(ModelConfig cfg, int batch, int pos) {
        return (int) Math.max((long) batch * pos, WORKSPACE_FLOATS / floatsPerRow(cfg));
    }

    private static long floatsPerRow(ModelConfig cfg) {
        return Buffers.floatsPerRow(cfg);
    }

    /**
     * The most floats an engine's buffers take for {@code batch} prompts of {@code pos} tokens when no call runs
     * more than {@code maxJobs} jobs (for memory estimates): they grow to the rows of a chunk of jobs, at most the
     * row budget (counted here as at least four jobs' worth, for a margin).
     */
    public static long workspaceFloats(ModelConfig cfg, int batch, int pos, long maxJobs) {
        long rows = (long) batch * pos;
        return Math.min(rowBudget(cfg, batch, pos), Math.max(4 * rows, maxJobs * rows)) * floatsPerRow(cfg);
    }

    private int rowsOf(Job j) {
        return batch * (pos - j.startPos());
    }

    private List<Tensor> runChunk(List<Job> jobs) {
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
        int rows = 0;
        for (Job job : jobs) rows += rowsOf(job);
        buffers.reserve(cfg, rows);  // the rows of the layers where every job is active
        for (int l = first; l < cfg.nLayers(); l++) {
            List<Integer> active = new ArrayList<>();
            for (int g = 0; g < n; g++) if (jobs.get(g).startLayer() <= l) active.add(g);
            // one segment per (active job, batch row): the job's positions from its start
            int segments = active.size() * batch;
            int[] sequence = new int[segments], firstPos = new int[segments], length = new int[segments];
            for (int a = 0; a < active.size(); a++) {
                for (int b = 0; b < batch; b++) {
                    sequence[a * batch + b] = b;
                    firstPos[a * batch + b] = jobs.get(active.get(a)).startPos();
                    length[a * batch + b] = pos - firstPos[a * batch + b];
                }
            }
            // Only the last position's logits are read: the last block needs every position's keys and values,
            // but attention, output and MLP for the last position alone.
            boolean last = l == cfg.nLayers() - 1;
            RowLayout layout = RowLayout.of(sequence, firstPos, length, last);
            float[] x = buffers.get(Buffers.Slot.INPUT, layout.rows() * d);
            for (int a = 0, at = 0; a < active.size(); at += state[active.get(a)].length, a++) {
                System.arraycopy(state[active.get(a)], 0, x, at, state[active.get(a)].length);
            }
            Tensor post = forward.block(l).forward(Tensor.wrap(x, 0, 1, layout.rows(), d), new BlockRun(layout, corruptedKeys, null, noHooks, buffers));
            float[] pd = post.data();
            for (int a = 0, at = 0; a < active.size(); a++) {
                float[] s = state[active.get(a)];
                if (last) {
                    int len = pos - jobs.get(active.get(a)).startPos();
                    for (int b = 0; b < batch; b++) System.arraycopy(pd, post.offset() + (a * batch + b) * d, s, (b * len + len - 1) * d, d);
                } else {
                    System.arraycopy(pd, post.offset() + at, s, 0, s.length);
                    at += s.length;
                }
            }
        }
        // the last position of every batch row of every job, through ln_final and the unembedding
        float[] lastRows = new float[n * batch * d];
        for (int g = 0; g < n; g++) {
            int len = pos - jobs.get(g).startPos();
            for (int b = 0; b < batch; b++) System.arraycopy(state[g], (b * len + len - 1) * d, lastRows, (g * batch + b) * d, d);
        }
        Tensor logits = forward.logits(forward.applyLnFinal(Tensor.of(lastRows, n * batch, d)));
        int v = cfg.dVocabOut();
        List<Tensor> out = new ArrayList<>(n);
        for (int g = 0; g < n; g++) out.add(Tensor.wrap(logits.data(), logits.offset() + g * batch * v, batch, 1, v));
        return out;
    }
}
