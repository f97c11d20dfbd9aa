package dev.jlens.cache;

import dev.jlens.JlensException;
import dev.jlens.hooks.ActName;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Activations of one run by hook name, in the order they fired, and TransformerLens' analyses of them
 * (accumulated_resid, decompose_resid, stack_head_results, apply_ln_to_stack, logit_attrs, ...).
 * Look-ups take the full name ({@code blocks.3.attn.hook_pattern}), a short one ({@code "k6"},
 * {@code "embed"}), or name and layer with negative layers counted from the end
 * ({@code get("resid_post", -1)}, {@code get("pattern", 9, "attn")}).
 *
 * <p>Immutable: head results ({@code blocks.L.attn.hook_result}), which TransformerLens computes into the
 * cache on demand, are computed on first use and kept beside the cached activations instead.
 */
public final class ActivationCache {
    private static final Pattern RESULT = Pattern.compile("blocks\\.(\\d+)\\.attn\\.hook_result");

    private final Map<String, Tensor> activations;
    private final CacheModel model;
    private final int nLayers;
    private final boolean hasBatchDim;
    private final Map<String, Tensor> computedResults = new ConcurrentHashMap<>();

    public ActivationCache(Map<String, Tensor> activations, CacheModel model, boolean hasBatchDim) {
        this.activations = Collections.unmodifiableMap(new LinkedHashMap<>(activations));
        this.model = model;
        this.nLayers = model.nLayers();
        this.hasBatchDim = hasBatchDim;
    }

    public boolean hasBatchDim() {
        return hasBatchDim;
    }

    public int nLayers() {
        return nLayers;
    }

    public CacheModel model() {
        return model;
    }

    /** Hook names in firing order. */
    public Set<String> keys() {
        return activations.keySet();
    }

    public Map<String, Tensor> asMap() {
        return activations;
    }

    public int size() {
        return activations.size();
    }

    public boolean contains(String name) {
        return activations.containsKey(name) || activations.containsKey(ActName.get(name));
    }

    /** By full name, or a short name {@link ActName} understands ({@code "k6"}, {@code "embed"}, {@code "scale"}). */
    public Tensor get(String name) {
        Tensor t = lookup(name);
        if (t == null) t = lookup(ActName.get(name));
        if (t == null) throw missing(name);
        return t;
    }

    /** {@code cache[name, layer]}; a negative layer counts from the end. */
    public Tensor get(String name, int layer) {
        return get(name, layer, null);
    }

    /** {@code cache[name, layer, layer_type]}, e.g. {@code ("scale", 4, "ln1")}. */
    public Tensor get(String name, int layer, String layerType) {
        int l = layer < 0 ? nLayers + layer : layer;
        String full = ActName.get(name, l, layerType);
        Tensor t = lookup(full);
        if (t == null) throw missing(full);
        return t;
    }

    private Tensor lookup(String full) {
        Tensor t = activations.get(full);
        if (t != null) return t;
        Matcher m = RESULT.matcher(full);
        if (m.matches() && activations.containsKey("blocks." + m.group(1) + ".attn.hook_z")) {
            return computedResults.computeIfAbsent(full, k -> analysis().headResults(Integer.parseInt(m.group(1))));
        }
        return null;
    }

    private JlensException missing(String name) {
        List<String> some = activations.keySet().stream().limit(4).toList();
        return new JlensException("the cache has no activation '" + name + "' (" + activations.size() + " cached, e.g. " + some + ")");
    }

    private ResidualAnalysis analysis() {
        return new ResidualAnalysis(this, model);
    }

    // ---- TransformerLens' analyses --------------------------------------------------------------------

    /**
     * {@code accumulated_resid}: the residual stream before each layer ({@code "0_pre"}, ...), with the
     * mid-layer ones if inclMid ({@code "0_mid"}), and the final one ({@code "final_post"}):
     * [n, ...batch/pos, d_model]. The logit lens is this through {@link #applyLnToStack}.
     */
    public ResidualStack accumulatedResid(StackOptions options) {
        return analysis().accumulatedResid(options);
    }

    /** {@code decompose_resid}: embed, pos_embed, then each layer's attn_out and mlp_out; their sum is the residual. */
    public ResidualStack decomposeResid(StackOptions options) {
        return analysis().decomposeResid(options);
    }

    /** {@code stack_head_results}: each head's output ({@code "L0H0"}, ...), optionally with the remainder. */
    public ResidualStack stackHeadResults(StackOptions options) {
        return analysis().stackHeadResults(options);
    }

    /** {@code compute_head_results} for one layer: [..., n_heads, d_model] (also {@code get("result", layer)}). */
    public Tensor computeHeadResults(int layer) {
        return get("result", layer);
    }

    /** {@code stack_neuron_results}: each neuron's output ({@code "L0N5"}, ...); neuronSlice picks neurons. */
    public ResidualStack stackNeuronResults(StackOptions options) {
        return analysis().stackNeuronResults(options);
    }

    /** {@code get_neuron_results}: [..., neurons, d_model] for one layer. */
    public Tensor getNeuronResults(int layer, Slice neuronSlice, Slice posSlice) {
        return analysis().neuronResults(layer, neuronSlice, posSlice);
    }

    /** {@code get_full_resid_decomposition}: heads, neurons (or mlp_out), embed, pos_embed and the biases. */
    public ResidualStack getFullResidDecomposition(StackOptions options) {
        return analysis().fullResidDecomposition(options);
    }

    /**
     * {@code apply_ln_to_stack}: center each vector and divide by the cached layer-norm scale of
     * {@code options.layer()} (ln_final for -1), with the options' posSlice/batchSlice applied to the scale
     * (pos_slice is assumed already applied to the stack), mlpInput choosing ln2 over ln1.
     */
    public Tensor applyLnToStack(Tensor stack, StackOptions options) {
        return analysis().applyLnToStack(stack, options.layer(), options.mlpInput(), options.posSlice(), options.batchSlice(), false);
    }

    /** {@code logit_attrs}: each component's direct contribution to the tokens' logits (minus the incorrect ones'). */
    public Tensor logitAttrs(Tensor stack, IntTensor tokens, IntTensor incorrectTokens, Slice posSlice, Slice batchSlice) {
        return analysis().logitAttrs(stack, tokens, incorrectTokens, posSlice, batchSlice);
    }

    public Tensor logitAttrs(Tensor stack, String token, String incorrectToken, Slice posSlice) {
        IntTensor t = IntTensor.scalar(model.toSingleToken(token));
        IntTensor wrong = incorrectToken == null ? null : IntTensor.scalar(model.toSingleToken(incorrectToken));
        return logitAttrs(stack, t, wrong, posSlice, Slice.ALL);
    }

    /** {@code stack_activation}: one activation of every layer before {@code layer} (-1: all), stacked. */
    public Tensor stackActivation(String name, int layer, String sublayerType) {
        return analysis().stackActivation(name, layer, sublayerType);
    }

    /** A cache of the same activations with batch element 0 taken (TransformerLens 3: tensors whose dim 0 is 1). */
    public ActivationCache removeBatchDim() {
        if (!hasBatchDim) return this;
        Map<String, Tensor> out = new LinkedHashMap<>();
        boolean any = false;
        for (var e : activations.entrySet()) {
            Tensor t = e.getValue();
            if (t.rank() > 0 && t.shape(0) == 1) {
                out.put(e.getKey(), t.squeeze(0));
                any = true;
            } else {
                out.put(e.getKey(), t);
            }
        }
        if (!any) throw new JlensException("removeBatchDim: no activation has a batch dimension of size 1");
        return new ActivationCache(out, model, false);
    }

    @Override
    public String toString() {
        return "ActivationCache with keys " + activations.keySet();
    }
}
