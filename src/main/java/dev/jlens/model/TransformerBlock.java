package dev.jlens.model;

import dev.jlens.hooks.HookPoints;
import dev.jlens.hooks.HookPoints.Site;
import dev.jlens.hooks.HookedRun;
import dev.jlens.tensor.Kernels;
import dev.jlens.tensor.PackedMatrix;
import dev.jlens.tensor.Parallel;
import dev.jlens.tensor.Tensor;

/**
 * One block, written once: {@code resid_pre -> ln1 -> attention -> resid_mid -> ln2 -> MLP -> resid_post},
 * firing its hooks in TransformerLens' order; the config adds its other parts (rotary queries and keys, grouped
 * keys and values, a gated MLP, norms after each sub-block, attention and MLP in parallel from resid_pre). The forward pass runs it on a rectangle of rows with hooks; the
 * patching engine on stacked patched suffixes of many runs, without hooks and with reused buffers; patching
 * helpers enter it part-way ({@link #fromZ}, {@link #fromResidMid}). All of them compute each row with the same
 * kernels in the same order, so a patched row is the same bits whichever way it was computed.
 */
final class TransformerBlock {
    private final ModelConfig cfg;
    private final ModelWeights.Layer w;
    private final int layer;
    private final int[] ids = new int[Site.values().length];
    private final LayerNorm ln1, ln2;
    private final LayerNorm ln1Post, ln2Post;  // null without use_normalization_before_and_after
    private final Attention attention;
    private final Rotary rotary;               // null without rotary embeddings

    TransformerBlock(ModelConfig cfg, ModelWeights.Layer w, int layer, HookPoints points) {
        this.cfg = cfg;
        this.w = w;
        this.layer = layer;
        for (Site s : Site.values()) ids[s.ordinal()] = points.id(layer, s);
        this.ln1 = new LayerNorm(cfg, w.ln1w(), w.ln1b(), id(Site.LN1_SCALE), id(Site.LN1_NORMALIZED), Buffers.Slot.NORMALIZED, Buffers.Slot.SCALE);
        this.ln2 = new LayerNorm(cfg, w.ln2w(), w.ln2b(), id(Site.LN2_SCALE), id(Site.LN2_NORMALIZED), Buffers.Slot.NORMALIZED_2, Buffers.Slot.SCALE_2);
        this.attention = new Attention(cfg, layer);
        boolean post = cfg.variant().normalizationBeforeAndAfter();
        this.ln1Post = post ? new LayerNorm(cfg, w.ln1PostW(), null, id(Site.LN1_POST_SCALE), id(Site.LN1_POST_NORMALIZED), Buffers.Slot.NORMALIZED, Buffers.Slot.SCALE) : null;
        this.ln2Post = post ? new LayerNorm(cfg, w.ln2PostW(), null, id(Site.LN2_POST_SCALE), id(Site.LN2_POST_NORMALIZED), Buffers.Slot.NORMALIZED_2, Buffers.Slot.SCALE_2) : null;
        this.rotary = cfg.positionalEmbeddingType() == PositionalEmbeddingType.ROTARY ? new Rotary(cfg, cfg.localAttention(layer)) : null;
    }

    private int id(Site s) {
        return ids[s.ordinal()];
    }

    /** resid_post of the run's output rows from resid_pre of its input rows [..., d_model]. */
    Tensor forward(Tensor residPre, BlockRun run) {
        HookedRun h = run.hooks();
        residPre = h.fire(id(Site.RESID_PRE), residPre);
        Tensor z = h.fire(id(Site.Z), z(residPre, run));
        return fromZ(run.rows().lastOnly() ? lastRows(residPre, run) : residPre, z, run);
    }

    /** z [..., n_heads, d_head]: ln1, the query, key and value products and their hooks, then attention. */
    private Tensor z(Tensor residPre, BlockRun run) {
        if (cfg.useSplitQkvInput() || cfg.useAttnIn()) return zFromHeadInputs(residPre, run);
        HookedRun h = run.hooks();
        // TransformerLens applies ln1 three times (query, key and value input); only a hook can tell them apart,
        // and then each input goes through the fused product and keeps its own third.
        boolean separate = h.isHooked(id(Site.LN1_SCALE)) || h.isHooked(id(Site.LN1_NORMALIZED));
        Tape.Block tape = run.tape(layer);
        Tensor qkv = linear(ln1.apply(residPre, h, run.buffers(), tape == null ? null : tape.ln1), w.wQKV(), w.bQKV(), Buffers.Slot.QKV, run.buffers());
        Tensor qkvK = separate ? linear(ln1.apply(residPre, h, Buffers.FRESH), w.wQKV(), w.bQKV(), Buffers.Slot.QKV, Buffers.FRESH) : qkv;
        Tensor qkvV = separate ? linear(ln1.apply(residPre, h, Buffers.FRESH), w.wQKV(), w.bQKV(), Buffers.Slot.QKV, Buffers.FRESH) : qkv;
        Attention.Rows q = part(qkv, 0, Site.Q, h), k = part(qkvK, 1, Site.K, h), v = part(qkvV, 2, Site.V, h);
        if (rotary != null) {
            q = rotated(q, cfg.nHeads(), Site.ROT_Q, run);
            k = rotated(k, cfg.nKeyValueHeads(), Site.ROT_K, run);
        }
        return attention.z(layer, q, k, v, run, id(Site.ATTN_SCORES), id(Site.PATTERN));
    }

    /** Queries or keys [batch, pos, heads, d_head] of a run's rows, rotary-embedded at their positions, without hooks. */
    Tensor rotate(Tensor x, BlockRun run) {
        int heads = x.shape(2), e = cfg.dHead();
        float[] out = rotary.apply(new Attention.Rows(x.toArray(), 0, heads * e), run.rows().rows(), heads, e,
                Rotary.positions(run.rows(), run.attentionMask()));
        return Tensor.of(out, x.shape());
    }

    /** Rotary-embedded copies of query or key rows at their positions, through {@code hook_rot_q} or {@code hook_rot_k}. */
    private Attention.Rows rotated(Attention.Rows x, int heads, Site site, BlockRun run) {
        RowLayout rows = run.rows();
        float[] out = rotary.apply(x, rows.rows(), heads, cfg.dHead(), Rotary.positions(rows, run.attentionMask()));
        int width = heads * cfg.dHead();
        if (!run.hooks().isHooked(id(site))) return new Attention.Rows(out, 0, width);
        Tensor fired = run.hooks().fire(id(site), Tensor.of(out, run.shape(rows.rows(), heads, cfg.dHead())));
        return new Attention.Rows(fired.data(), fired.offset(), width);
    }

    /**
     * z when the attention's inputs are copied per head ({@code use_attn_in}: {@code hook_attn_in};
     * {@code use_split_qkv_input}: {@code hook_q_input}, {@code hook_k_input}, {@code hook_v_input}, which then
     * take the place of attn_in, as in TransformerLens), each [..., n_heads, d_model] and normalized by ln1 as
     * such. Head h's queries come from its own input row, its keys and values likewise. An input equal to
     * another (as every unhooked copy is) shares its product, so with no hook changing an input this is the
     * same bits as the unsplit block.
     */
    private Tensor zFromHeadInputs(Tensor residPre, BlockRun run) {
        HookedRun h = run.hooks();
        Tensor attnIn = cfg.useAttnIn() ? h.fire(id(Site.ATTN_IN), perHead(residPre)) : null;
        Tensor qIn = attnIn, kIn = attnIn, vIn = attnIn;
        if (cfg.useSplitQkvInput()) {
            qIn = h.fire(id(Site.Q_INPUT), perHead(residPre));
            kIn = h.fire(id(Site.K_INPUT), perHead(residPre));
            vIn = h.fire(id(Site.V_INPUT), perHead(residPre));
        }
        Tensor[] normalized = {ln1.apply(qIn, h, Buffers.FRESH), ln1.apply(kIn, h, Buffers.FRESH), ln1.apply(vIn, h, Buffers.FRESH)};
        int nh = cfg.nHeads(), e = cfg.dHead(), he = nh * e, d = cfg.dModel(), rows = residPre.size() / d;
        java.util.List<float[]> inputs = new java.util.ArrayList<>();
        java.util.List<Tensor> products = new java.util.ArrayList<>();
        float[][] qkv = new float[3][rows * he];
        for (int part = 0; part < 3; part++) {
            for (int head = 0; head < nh; head++) {
                float[] input = new float[rows * d];
                Tensor n = normalized[part];
                for (int r = 0; r < rows; r++) System.arraycopy(n.data(), n.offset() + (r * nh + head) * d, input, r * d, d);
                int same = 0;
                while (same < inputs.size() && !java.util.Arrays.equals(inputs.get(same), input)) same++;
                if (same == inputs.size()) {
                    inputs.add(input);
                    products.add(linear(Tensor.of(input, rows, d), w.wQKV(), w.bQKV(), Buffers.Slot.QKV, Buffers.FRESH));
                }
                float[] product = products.get(same).data();
                for (int r = 0; r < rows; r++) System.arraycopy(product, r * 3 * he + part * he + head * e, qkv[part], r * he + head * e, e);
            }
        }
        int[] shape = {residPre.shape(0), residPre.shape(1), nh, e};
        Tensor q = h.fire(id(Site.Q), Tensor.of(qkv[0], shape)), k = h.fire(id(Site.K), Tensor.of(qkv[1], shape));
        Tensor v = h.fire(id(Site.V), Tensor.of(qkv[2], shape));
        return attention.z(layer, new Attention.Rows(q.data(), q.offset(), he), new Attention.Rows(k.data(), k.offset(), he),
                new Attention.Rows(v.data(), v.offset(), he), run, id(Site.ATTN_SCORES), id(Site.PATTERN));
    }

    /** [batch, pos, d_model] repeated along a new head dimension: [batch, pos, n_heads, d_model]. */
    private Tensor perHead(Tensor x) {
        int nh = cfg.nHeads(), d = cfg.dModel(), rows = x.size() / d;
        float[] out = new float[rows * nh * d];
        for (int r = 0; r < rows; r++) for (int head = 0; head < nh; head++) System.arraycopy(x.data(), x.offset() + r * d, out, (r * nh + head) * d, d);
        return Tensor.of(out, x.shape(0), x.shape(1), nh, d);
    }

    /**
     * Query (part 0), key (1) or value (2) rows of a fused product (keys and values have n_key_value_heads);
     * split out as [..., heads, d_head] when hooked.
     */
    private Attention.Rows part(Tensor qkv, int part, Site site, HookedRun h) {
        int e = cfg.dHead(), he = cfg.nHeads() * e, kv = cfg.kvWidth(), stride = he + 2 * kv;
        int at = part == 0 ? 0 : part == 1 ? he : he + kv, width = part == 0 ? he : kv;
        if (!h.isHooked(id(site))) return new Attention.Rows(qkv.data(), qkv.offset() + at, stride);
        int rows = qkv.size() / stride;
        float[] out = new float[rows * width], src = qkv.data();
        for (int r = 0; r < rows; r++) System.arraycopy(src, qkv.offset() + r * stride + at, out, r * width, width);
        int[] shape = qkv.shape();
        Tensor fired = h.fire(id(site), Tensor.of(out, shape[0], shape[1], width / e, e));
        return new Attention.Rows(fired.data(), fired.offset(), width);
    }

    /** z of this run's rows from their q, k, v rows, without hooks (a patch of q, k or v). */
    Tensor attend(Attention.Rows q, Attention.Rows k, Attention.Rows v, BlockRun run) {
        return attention.z(layer, q, k, v, run, id(Site.ATTN_SCORES), id(Site.PATTERN));
    }

    /** z of queries {@code from..} from a pattern [batch, head, query, key] and values [batch, key, n_heads*d_head]. */
    Tensor zFromPattern(Tensor pattern, float[] values, int from) {
        return attention.zFromPattern(pattern, values, from);
    }

    /** The last row of each segment of the input rows (lastOnly: the only rows that go on past attention). */
    private static Tensor lastRows(Tensor x, BlockRun run) {
        RowLayout rows = run.rows();
        int d = x.shape(x.rank() - 1), n = rows.segments();
        float[] out = run.buffers().get(Buffers.Slot.LAST_ROWS, n * d);
        for (int s = 0; s < n; s++) System.arraycopy(x.data(), x.offset() + (rows.rowStart(s) + rows.length(s) - 1) * d, out, s * d, d);
        return Tensor.wrap(out, 0, 1, n, d);
    }

    /** resid_post from resid_pre and z of the same rows: the attention output, resid_mid and the MLP. */
    Tensor fromZ(Tensor residPre, Tensor z, BlockRun run) {
        HookedRun h = run.hooks();
        Tensor attnOut = h.fire(id(Site.ATTN_OUT), attentionOutput(z, run));
        return fromAttnOut(residPre, attnOut, run);
    }

    /** resid_post from resid_pre and attn_out of the same rows: through resid_mid, or in parallel with the MLP. */
    Tensor fromAttnOut(Tensor residPre, Tensor attnOut, BlockRun run) {
        HookedRun h = run.hooks();
        if (cfg.parallelAttnMlp()) {
            // GPT-NeoX: the MLP reads resid_pre too, and both write to resid_post; there is no resid_mid
            Tensor mlpIn = cfg.useHookMlpIn() ? h.fire(id(Site.MLP_IN), residPre.copy()) : residPre;
            Tensor mlpOut = mlp(mlpIn, run);
            Tensor sum = add(residPre, attnOut, Buffers.Slot.RESID_MID, run.buffers());
            return h.fire(id(Site.RESID_POST), add(sum, mlpOut, Buffers.Slot.RESID_POST, run.buffers()));
        }
        Tensor residMid = h.fire(id(Site.RESID_MID), add(residPre, attnOut, Buffers.Slot.RESID_MID, run.buffers()));
        return fromResidMid(residMid, run);
    }

    /** attn_out [..., d_model] of z [..., n_heads, d_head]: {@code z W_O + b_O}, through each head's result with use_attn_result. */
    Tensor attentionOutput(Tensor z, BlockRun run) {
        int rows = z.size() / (cfg.nHeads() * cfg.dHead());
        int[] shape = withLast(z.shape(), 2, cfg.dModel());
        Tensor out;
        if (cfg.useAttnResult()) {
            out = viaHeadResults(z, rows, shape, run.hooks());
        } else {
            float[] o = run.buffers().get(Buffers.Slot.ATTN_OUT, rows * cfg.dModel());
            w.wO().multiply(z.data(), z.offset(), rows, w.bO(), o, 0);
            out = Tensor.wrap(o, 0, shape);
        }
        // Gemma 2: hook_attn_out sees what is added to the residual stream, after the norm
        Tape.Block tape = run.tape(layer);
        return ln1Post == null ? out : ln1Post.apply(out, run.hooks(), Buffers.FRESH, tape == null ? null : tape.ln1Post);
    }

    /** With use_attn_result: each head's output [..., n_heads, d_model] is computed and hooked, then summed. */
    private Tensor viaHeadResults(Tensor z, int rows, int[] shape, HookedRun h) {
        int nh = cfg.nHeads(), e = cfg.dHead(), d = cfg.dModel();
        Tensor wO = w.wO().unpack();  // [nh*e, d]
        int[] resultShape = new int[shape.length + 1];
        System.arraycopy(shape, 0, resultShape, 0, shape.length - 1);
        resultShape[shape.length - 1] = nh;
        resultShape[shape.length] = d;
        Tensor result = Tensor.zeros(resultShape);
        float[] rd = result.data(), zd = z.toArray(), wd = wO.data();
        for (int row = 0; row < rows; row++) {
            for (int head = 0; head < nh; head++) {
                int rAt = (row * nh + head) * d;
                for (int k = 0; k < e; k++) Kernels.axpy(zd[(row * nh + head) * e + k], wd, (head * e + k) * d, rd, rAt, d);
            }
        }
        result = h.fire(id(Site.RESULT), result);
        Tensor out = result.sum(shape.length - 1);
        float[] od = out.data();
        for (int row = 0; row < rows; row++) Kernels.add(od, out.offset() + row * d, w.bO(), 0, od, out.offset() + row * d, d);
        return out;
    }

    /** resid_post from resid_mid [..., d_model]: {@code resid_mid + W_out gelu_new(W_in ln2(resid_mid) + b_in) + b_out}. */
    Tensor fromResidMid(Tensor residMid, BlockRun run) {
        HookedRun h = run.hooks();
        Tensor mlpIn = cfg.useHookMlpIn() ? h.fire(id(Site.MLP_IN), residMid.copy()) : residMid;
        Tensor mlpOut = mlp(mlpIn, run);
        return h.fire(id(Site.RESID_POST), add(residMid, mlpOut, Buffers.Slot.RESID_POST, run.buffers()));
    }

    /** hook_mlp_out from the MLP's input (before ln2): ln2, the MLP (gated or not) and, in Gemma 2, ln2_post. */
    private Tensor mlp(Tensor mlpIn, BlockRun run) {
        HookedRun h = run.hooks();
        Buffers buffers = run.buffers();
        Tape.Block tape = run.tape(layer);
        Tensor normalized = ln2.apply(mlpIn, h, buffers, tape == null ? null : tape.ln2);
        Tensor post;
        if (w.wGate() != null) {
            post = gatedPost(normalized, h, buffers, tape);
        } else {
            Tensor pre = h.fire(id(Site.MLP_PRE), linear(normalized, w.wIn(), w.bIn(), Buffers.Slot.HIDDEN, buffers));
            if (tape != null) tape.pre = pre;
            // In place unless a hook saw hook_pre (it may keep the tensor, as a cache does) or the backward needs it.
            post = h.isHooked(id(Site.MLP_PRE)) || tape != null ? pre.copy() : pre;
            activate(post);
        }
        post = h.fire(id(Site.MLP_POST), post);
        Tensor out = linear(post, w.wOut(), w.bOut(), Buffers.Slot.MLP_OUT, buffers);
        if (ln2Post != null) out = ln2Post.apply(out, h, Buffers.FRESH, tape == null ? null : tape.ln2Post);
        return h.fire(id(Site.MLP_OUT), out);
    }

    /** The gated MLP's hook_post: {@code act(x W_gate) * (x W_in) + b_in}, through hook_pre (the gate) and hook_pre_linear. */
    private Tensor gatedPost(Tensor normalized, HookedRun h, Buffers buffers, Tape.Block tape) {
        Tensor pre = h.fire(id(Site.MLP_PRE), linear(normalized, w.wGate(), null, Buffers.Slot.HIDDEN, buffers));
        Tensor preLinear = h.fire(id(Site.MLP_PRE_LINEAR), linear(normalized, w.wIn(), null, Buffers.Slot.HIDDEN_LINEAR, buffers));
        if (tape != null) {
            tape.pre = pre;
            tape.preLinear = preLinear;
        }
        Tensor post = h.isHooked(id(Site.MLP_PRE)) || tape != null ? pre.copy() : pre;
        activate(post);
        float[] pd = post.data(), ld = preLinear.data(), bIn = w.bIn();
        int pOff = post.offset(), lOff = preLinear.offset(), width = cfg.dMlp(), rows = post.size() / width;
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < width; j++) {
                int i = r * width + j;
                pd[pOff + i] = pd[pOff + i] * ld[lOff + i] + bIn[j];
            }
        }
        return post;
    }

    /** The config's activation, in place, spread over the cores. */
    private void activate(Tensor t) {
        float[] pd = t.data();
        int pOff = t.offset(), width = cfg.dMlp();
        ActivationFunction fn = cfg.actFn();
        Parallel.forRows(t.size() / width, LayerNorm.MIN_ROWS_PER_THREAD, (from, to) -> {
            if (fn == ActivationFunction.GELU_NEW) Kernels.geluNew(pd, pOff + from * width, (to - from) * width);
            else Activations.apply(fn, pd, pOff + from * width, (to - from) * width);
        });
    }

    /**
     * The backward of {@link #forward} on a rectangle of rows: the gradient with respect to resid_pre from the
     * gradient with respect to resid_post, firing the backward hooks in the reverse of the forward's order.
     */
    Tensor backward(Tensor gResidPost, BlockRun run) {
        HookedRun h = run.hooks();
        Tape.Block tape = run.tape(layer);
        Tensor g = h.fireBackward(id(Site.RESID_POST), gResidPost);
        Tensor gMlpIn = mlpBackward(g, h, tape);
        if (cfg.useHookMlpIn()) gMlpIn = h.fireBackward(id(Site.MLP_IN), gMlpIn);
        // resid_post = resid_mid + mlp_out, or with attention and MLP in parallel resid_pre + attn_out + mlp_out
        Tensor gResidMid = cfg.parallelAttnMlp() ? g : h.fireBackward(id(Site.RESID_MID), g.add(gMlpIn));
        Tensor gAttnOut = h.fireBackward(id(Site.ATTN_OUT), gResidMid);
        if (ln1Post != null) gAttnOut = ln1Post.backward(gAttnOut, tape.ln1Post[0], h);
        Tensor gZ = h.fireBackward(id(Site.Z), linearBackward(gAttnOut, w.wO()).reshape(withLast(gAttnOut.shape(), 1, cfg.nHeads(), cfg.dHead())));
        float[] expanded = attention.backward(gZ, tape, run, id(Site.ATTN_SCORES), id(Site.PATTERN));
        float[] gqkv = qkvGradient(expanded, gZ.shape(), run, h);
        Tensor gLn1 = ln1.backward(linearBackward(Tensor.wrap(gqkv, 0, withLast(gResidMid.shape(), 1, w.wQKV().cols())), w.wQKV()),
                tape.ln1[0], h);
        Tensor gResidPre = gResidMid.add(gLn1);
        if (cfg.parallelAttnMlp()) gResidPre = gResidPre.add(gMlpIn);
        return h.fireBackward(id(Site.RESID_PRE), gResidPre);
    }

    /** The gradient of the MLP's input (before ln2) from that of hook_mlp_out's output, firing the MLP's backward hooks. */
    private Tensor mlpBackward(Tensor g, HookedRun h, Tape.Block tape) {
        Tensor gMlpOut = h.fireBackward(id(Site.MLP_OUT), g);
        if (ln2Post != null) gMlpOut = ln2Post.backward(gMlpOut, tape.ln2Post[0], h);
        Tensor gPost = h.fireBackward(id(Site.MLP_POST), linearBackward(gMlpOut, w.wOut()));
        Tensor pre = tape.pre;
        int width = cfg.dMlp();
        float[] pd = pre.data();
        int pOff = pre.offset();
        ActivationFunction fn = cfg.actFn();
        if (w.wGate() == null) {
            float[] gPre = gPost.toArray();
            Parallel.forRows(gPre.length / width, LayerNorm.MIN_ROWS_PER_THREAD,
                    (from, to) -> Activations.backward(fn, pd, pOff + from * width, gPre, from * width, (to - from) * width));
            Tensor gPreT = h.fireBackward(id(Site.MLP_PRE), Tensor.of(gPre, pre.shape()));
            return ln2.backward(linearBackward(gPreT, w.wIn()), tape.ln2[0], h);
        }
        // post = act(pre) * pre_linear + b_in: d pre_linear = g act(pre), d pre = g pre_linear act'(pre)
        float[] gp = gPost.toArray(), lin = tape.preLinear.toArray();
        float[] act = pre.toArray();
        Activations.apply(fn, act, 0, act.length);
        float[] gLinear = new float[gp.length], gGate = new float[gp.length];
        for (int i = 0; i < gp.length; i++) {
            gLinear[i] = gp[i] * act[i];
            gGate[i] = gp[i] * lin[i];
        }
        Activations.backward(fn, pd, pOff, gGate, 0, gGate.length);
        Tensor gLinearT = h.fireBackward(id(Site.MLP_PRE_LINEAR), Tensor.of(gLinear, pre.shape()));
        Tensor gGateT = h.fireBackward(id(Site.MLP_PRE), Tensor.of(gGate, pre.shape()));
        return ln2.backward(linearBackward(gGateT, w.wGate()).add(linearBackward(gLinearT, w.wIn())), tape.ln2[0], h);
    }

    /**
     * The gradient of the fused q|k|v product rows [rows, (n_heads + 2 n_kv) d_head] from attention's gradient of
     * the (rotated) queries, keys and values per query head [rows, 3 n_heads d_head]: keys and values summed over
     * the heads sharing them, the rotary embedding undone, firing the hooks rot_k, rot_q, v, k, q in reverse order.
     */
    private float[] qkvGradient(float[] expanded, int[] headShape, BlockRun run, HookedRun h) {
        int e = cfg.dHead(), nh = cfg.nHeads(), kvh = cfg.nKeyValueHeads(), he = nh * e, kv = kvh * e, rows = expanded.length / (3 * he);
        float[][] parts = new float[3][];
        for (int part = 0; part < 3; part++) {
            int width = part == 0 ? he : kv, repeats = nh / (part == 0 ? nh : kvh);
            float[] out = new float[rows * width];
            for (int r = 0; r < rows; r++) {
                for (int head = 0; head < nh; head++) {
                    int src = r * 3 * he + part * he + head * e, dst = r * width + (head / repeats) * e;
                    for (int x = 0; x < e; x++) out[dst + x] += expanded[src + x];
                }
            }
            parts[part] = out;
        }
        int[] qShape = withLast(headShape, 2, nh, e), kvShape = withLast(headShape, 2, kvh, e);
        if (rotary != null) {
            int[] positions = Rotary.positions(run.rows(), run.attentionMask());
            parts[1] = h.fireBackward(id(Site.ROT_K), Tensor.of(parts[1], kvShape)).toArray();
            parts[0] = h.fireBackward(id(Site.ROT_Q), Tensor.of(parts[0], qShape)).toArray();
            parts[1] = rotary.applyTransposed(new Attention.Rows(parts[1], 0, kv), rows, kvh, e, positions);
            parts[0] = rotary.applyTransposed(new Attention.Rows(parts[0], 0, he), rows, nh, e, positions);
        }
        Site[] sites = {Site.Q, Site.K, Site.V};
        for (int part = 2; part >= 0; part--) {
            if (h.needsGradient(id(sites[part]))) parts[part] = h.fireBackward(id(sites[part]), Tensor.of(parts[part], part == 0 ? qShape : kvShape)).toArray();
        }
        int stride = he + 2 * kv;
        float[] gqkv = new float[rows * stride];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(parts[0], r * he, gqkv, r * stride, he);
            System.arraycopy(parts[1], r * kv, gqkv, r * stride + he, kv);
            System.arraycopy(parts[2], r * kv, gqkv, r * stride + he + kv, kv);
        }
        return gqkv;
    }

    /** The gradient of {@link #linear}'s input [..., rows of W] from that of its output [..., cols of W]. */
    static Tensor linearBackward(Tensor gOut, PackedMatrix wm) {
        int rows = gOut.size() / wm.cols();
        float[] out = new float[rows * wm.rows()];
        float[] g = gOut.offset() == 0 ? gOut.data() : gOut.toArray();
        wm.transposed().multiply(g, 0, rows, null, out, 0);
        return Tensor.wrap(out, 0, withLast(gOut.shape(), 1, wm.rows()));
    }

    /** {@code x @ W + bias} over all rows of x [..., rows of W]. */
    static Tensor linear(Tensor x, PackedMatrix wm, float[] bias, Buffers.Slot slot, Buffers buffers) {
        int rows = x.size() / wm.rows();
        float[] out = buffers.get(slot, rows * wm.cols());
        wm.multiply(x.data(), x.offset(), rows, bias, out, 0);
        return Tensor.wrap(out, 0, withLast(x.shape(), 1, wm.cols()));
    }

    private static Tensor add(Tensor a, Tensor b, Buffers.Slot slot, Buffers buffers) {
        float[] out = buffers.get(slot, a.size());
        Kernels.add(a.data(), a.offset(), b.data(), b.offset(), out, 0, a.size());
        return Tensor.wrap(out, 0, a.shape());
    }

    /** {@code shape} with its last {@code drop} dimensions replaced by {@code last}. */
    private static int[] withLast(int[] shape, int drop, int... last) {
        int[] out = java.util.Arrays.copyOf(shape, shape.length - drop + last.length);
        System.arraycopy(last, 0, out, shape.length - drop, last.length);
        return out;
    }
}
