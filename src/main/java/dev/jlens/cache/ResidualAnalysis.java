package dev.jlens.cache;

import dev.jlens.JlensException;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The arithmetic behind the cache's analyses (spec section 8): stacks of residual-stream components, their
 * layer-norm scaling, and their projection on logit directions, following TransformerLens 3.5.1.
 */
final class ResidualAnalysis {
    private final ActivationCache cache;
    private final CacheModel model;

    ResidualAnalysis(ActivationCache cache, CacheModel model) {
        this.cache = cache;
        this.model = model;
    }

    private int layerOrAll(int layer) {
        int l = layer == -1 ? model.nLayers() : layer;
        if (l < 0 || l > model.nLayers()) {
            throw new JlensException("layer " + layer + " is out of range (0.." + model.nLayers() + ", or -1 for all)");
        }
        return l;
    }

    ResidualStack accumulatedResid(StackOptions o) {
        int layer = layerOrAll(o.layer()), n = model.nLayers();
        List<Tensor> parts = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int l = 0; l <= layer; l++) {
            if (l == n) {
                parts.add(cache.get("resid_post", n - 1));
                labels.add("final_post");
                continue;
            }
            parts.add(cache.get("resid_pre", l));
            labels.add(l + "_pre");
            if ((o.inclMid() && l < layer) || (o.mlpInput() && l == layer)) {
                parts.add(cache.get("resid_mid", l));
                labels.add(l + "_mid");
            }
        }
        Tensor stack = stack(parts, o.posSlice(), -2);
        if (o.applyLn()) stack = applyLnToStack(stack, layer, o.mlpInput(), o.posSlice(), o.batchSlice(), layer == n);
        return new ResidualStack(stack, labels);
    }

    ResidualStack decomposeResid(StackOptions o) {
        int layer = layerOrAll(o.layer());
        boolean attn = !o.mode().equals("mlp"), mlp = !o.mode().equals("attn");
        List<Tensor> parts = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        if (o.inclEmbeds()) {
            if (cache.contains("hook_embed")) {
                parts.add(cache.get("hook_embed"));
                labels.add("embed");
            }
            if (cache.contains("hook_pos_embed")) {
                parts.add(cache.get("hook_pos_embed"));
                labels.add("pos_embed");
            }
        }
        for (int l = 0; l < layer; l++) {
            if (attn) {
                parts.add(cache.get("attn_out", l));
                labels.add(l + "_attn_out");
            }
            if (mlp) {
                parts.add(cache.get("mlp_out", l));
                labels.add(l + "_mlp_out");
            }
        }
        if (o.mlpInput() && attn) {
            parts.add(cache.get("attn_out", layer));
            labels.add(layer + "_attn_out");
        }
        if (parts.isEmpty()) throw new JlensException("decomposeResid: nothing to stack (no embeddings cached and layer 0)");
        Tensor stack = stack(parts, o.posSlice(), -2);
        if (o.applyLn()) stack = applyLnToStack(stack, layer, o.mlpInput(), o.posSlice(), o.batchSlice(), false);
        return new ResidualStack(stack, labels);
    }

    /** Each head's output {@code z[..., h, :] @ W_O[h]} of one layer: [..., n_heads, d_model]. */
    Tensor headResults(int layer) {
        Tensor z = cache.get("z", layer);                   // [..., H, E]
        Tensor wO = model.headOutputWeights(layer);         // [H, E, D]
        int h = wO.shape(0), e = wO.shape(1), d = wO.shape(2);
        int rows = z.size() / (h * e);
        float[] out = new float[rows * h * d], zd = z.toArray(), wd = wO.toArray();
        for (int r = 0; r < rows; r++) {
            for (int head = 0; head < h; head++) {
                int at = (r * h + head) * d;
                for (int k = 0; k < e; k++) {
                    dev.jlens.tensor.Kernels.axpy(zd[(r * h + head) * e + k], wd, (head * e + k) * d, out, at, d);
                }
            }
        }
        int[] shape = z.shape();
        shape[shape.length - 1] = d;
        return Tensor.of(out, shape);
    }

    ResidualStack stackHeadResults(StackOptions o) {
        int layer = layerOrAll(o.layer());
        List<Tensor> perLayer = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int l = 0; l < layer; l++) {
            perLayer.add(o.posSlice().apply(cache.get("result", l), -3));
            for (int h = 0; h < model.nHeads(); h++) labels.add("L" + l + "H" + h);
        }
        Tensor stack = perLayer.isEmpty() ? null : moveToFront(Tensor.concat(perLayer, -2), -2);
        return withRemainder(stack, labels, layer, o);
    }

    /** {@code post[..., m] * W_out[m, :]} for the selected neurons of one layer: [..., neurons, d_model]. */
    Tensor neuronResults(int layer, Slice neuronSlice, Slice posSlice) {
        Tensor post = posSlice.apply(cache.get("post", layer), -2);
        Tensor wOut = model.mlpOutputWeights(layer);
        if (!neuronSlice.isAll()) {
            post = neuronSlice.apply(post, -1);
            wOut = neuronSlice.apply(wOut, 0);
        }
        return post.unsqueeze(-1).mul(wOut);
    }

    ResidualStack stackNeuronResults(StackOptions o) {
        int layer = layerOrAll(o.layer());
        int[] neurons = o.neuronSlice().indices(model.dMlp());
        List<Tensor> perLayer = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        Slice asList = o.neuronSlice().dropsDimension() ? Slice.of(neurons) : o.neuronSlice();
        for (int l = 0; l < layer; l++) {
            perLayer.add(neuronResults(l, asList, o.posSlice()));
            for (int m : neurons) labels.add("L" + l + "N" + m);
        }
        Tensor stack = perLayer.isEmpty() ? null : moveToFront(Tensor.concat(perLayer, -2), -2);
        return withRemainder(stack, labels, layer, o);
    }

    /** Adds the "remainder" row (resid_post of layer-1 minus the rows) if asked, then layer-norm scaling. */
    private ResidualStack withRemainder(Tensor stack, List<String> labels, int layer, StackOptions o) {
        if (o.inclRemainder()) {
            if (layer == 0) throw new JlensException("inclRemainder needs layer >= 1: there is no resid_post before layer 0");
            Tensor resid = o.posSlice().apply(cache.get("resid_post", layer - 1), -2);
            Tensor remainder = stack == null ? resid : resid.sub(stack.sum(0));
            stack = stack == null ? remainder.unsqueeze(0) : Tensor.concat(List.of(stack, remainder.unsqueeze(0)), 0);
            labels = new ArrayList<>(labels);
            labels.add("remainder");
        } else if (stack == null) {
            int[] embedShape = o.posSlice().apply(cache.get("hook_embed"), -2).shape();
            int[] shape = new int[embedShape.length + 1];
            System.arraycopy(embedShape, 0, shape, 1, embedShape.length);
            stack = Tensor.zeros(shape);
        }
        if (o.applyLn()) stack = applyLnToStack(stack, layer, false, o.posSlice(), o.batchSlice(), false);
        return new ResidualStack(stack, labels);
    }

    ResidualStack fullResidDecomposition(StackOptions o) {
        int layer = layerOrAll(o.layer());
        StackOptions plain = o.applyLn(false).inclRemainder(false);
        ResidualStack heads = stackHeadResults(plain.layer(layer + (o.mlpInput() ? 1 : 0)));
        List<Tensor> parts = new ArrayList<>(List.of(heads.stack()));
        List<String> labels = new ArrayList<>(heads.labels());
        if (layer > 0) {
            ResidualStack mlp = o.expandNeurons()
                    ? stackNeuronResults(plain.layer(layer))
                    : decomposeResid(plain.layer(layer).inclEmbeds(false).mode("mlp"));
            parts.add(mlp.stack());
            labels.addAll(mlp.labels());
        }
        if (cache.contains("hook_embed")) {
            parts.add(o.posSlice().apply(cache.get("hook_embed"), -2).unsqueeze(0));
            labels.add("embed");
        }
        if (cache.contains("hook_pos_embed")) {
            parts.add(o.posSlice().apply(cache.get("hook_pos_embed"), -2).unsqueeze(0));
            labels.add("pos_embed");
        }
        int[] rowShape = heads.stack().shape();
        rowShape[0] = 1;
        Tensor bias = Tensor.zeros(rowShape).add(model.accumulatedBias(layer, o.mlpInput(), o.expandNeurons()));
        parts.add(bias);
        labels.add("bias");
        Tensor stack = Tensor.concat(parts, 0);
        if (o.applyLn()) stack = applyLnToStack(stack, layer, o.mlpInput(), o.posSlice(), o.batchSlice(), false);
        return new ResidualStack(stack, labels);
    }

    /**
     * Centers each vector (LayerNorm only) and divides by the cached layer-norm scale of {@code layer} (ln_final at n_layers,
     * else ln2 if mlpInput, else ln1), with pos_slice (and batch_slice) applied to the scale. With
     * {@code recompute} at the final layer, each component goes through ln_final with its own statistics
     * (TransformerLens 3's accumulated_resid(apply_ln=True)).
     */
    Tensor applyLnToStack(Tensor stack, int layer, boolean mlpInput, Slice posSlice, Slice batchSlice, boolean recompute) {
        int l = layerOrAll(layer);
        if (cache.hasBatchDim()) stack = batchSlice.apply(stack, 1);
        if (recompute && l == model.nLayers()) {
            List<Tensor> rows = new ArrayList<>();
            for (int i = 0; i < stack.shape(0); i++) rows.add(model.applyLnFinal(stack.get(i)));
            return Tensor.stack(rows, 0);
        }
        // RMSNorm scales without centering
        Tensor centered = model.normsCenter() ? stack.sub(stack.mean(-1, true)) : stack;
        String key = l == model.nLayers() ? "ln_final.hook_scale" : "blocks." + l + ".ln" + (mlpInput ? 2 : 1) + ".hook_scale";
        Tensor scale = posSlice.apply(cache.get(key), -2);
        if (cache.hasBatchDim()) scale = batchSlice.apply(scale, 0);
        return centered.div(scale);
    }

    /** Attributions of each component to the logit (difference) of the tokens: [n_components, ...]. */
    Tensor logitAttrs(Tensor stack, IntTensor tokens, IntTensor incorrectTokens, Slice posSlice, Slice batchSlice) {
        Tensor directions = model.tokensToResidualDirections(tokens);
        if (incorrectTokens != null) {
            if (!java.util.Arrays.equals(tokens.shape(), incorrectTokens.shape())) {
                throw new JlensException("tokens and incorrect tokens must have the same shape, got "
                        + java.util.Arrays.toString(tokens.shape()) + " and " + java.util.Arrays.toString(incorrectTokens.shape()));
            }
            directions = directions.sub(model.tokensToResidualDirections(incorrectTokens));
        }
        Tensor scaled = applyLnToStack(stack, -1, false, posSlice, batchSlice, false);
        return scaled.mul(directions).sum(-1);
    }

    Tensor stackActivation(String name, int layer, String sublayerType) {
        int l = layerOrAll(layer);
        List<Tensor> parts = new ArrayList<>();
        for (int i = 0; i < l; i++) parts.add(cache.get(name, i, sublayerType));
        return Tensor.stack(parts, 0);
    }

    private static Tensor stack(List<Tensor> parts, Slice posSlice, int posDim) {
        List<Tensor> sliced = new ArrayList<>();
        for (Tensor t : parts) sliced.add(posSlice.apply(t, posDim));
        return Tensor.stack(sliced, 0);
    }

    /** Moves dimension {@code dim} to the front (einops "... c d -> c ... d"). */
    private static Tensor moveToFront(Tensor t, int dim) {
        int d = dim < 0 ? dim + t.rank() : dim;
        int[] perm = new int[t.rank()];
        perm[0] = d;
        for (int i = 0, j = 1; i < t.rank(); i++) if (i != d) perm[j++] = i;
        return t.permute(perm);
    }
}
