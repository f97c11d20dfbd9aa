package dev.jlens.cache;

import dev.jlens.JlensException;
import dev.jlens.hooks.ActName;
import dev.jlens.tensor.Tensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Activations of one run by hook name, in the order they fired (TransformerLens' ActivationCache).
 * Look-ups take the full name ({@code blocks.3.attn.hook_pattern}), a short one ({@code "k6"},
 * {@code "embed"}), or name and layer with negative layers counted from the end
 * ({@code get("resid_post", -1)}, {@code get("pattern", 9, "attn")}).
 */
public class ActivationCache {
    private final Map<String, Tensor> activations;
    private final int nLayers;
    private final boolean hasBatchDim;

    public ActivationCache(Map<String, Tensor> activations, int nLayers, boolean hasBatchDim) {
        this.activations = Collections.unmodifiableMap(new LinkedHashMap<>(activations));
        this.nLayers = nLayers;
        this.hasBatchDim = hasBatchDim;
    }

    public boolean hasBatchDim() {
        return hasBatchDim;
    }

    public int nLayers() {
        return nLayers;
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
        Tensor t = activations.get(name);
        if (t == null) t = activations.get(ActName.get(name));
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
        Tensor t = activations.get(full);
        if (t == null) throw missing(full);
        return t;
    }

    private JlensException missing(String name) {
        List<String> some = activations.keySet().stream().limit(4).toList();
        return new JlensException("the cache has no activation '" + name + "' (" + activations.size() + " cached, e.g. " + some + ")");
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
        return new ActivationCache(out, nLayers, false);
    }

    @Override
    public String toString() {
        return "ActivationCache with keys " + activations.keySet();
    }
}
