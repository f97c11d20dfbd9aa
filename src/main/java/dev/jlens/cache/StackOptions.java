package dev.jlens.cache;

/**
 * The keyword arguments of the cache's analyses (TransformerLens' accumulated_resid, decompose_resid,
 * stack_head_results, stack_neuron_results, apply_ln_to_stack, get_full_resid_decomposition), with
 * TransformerLens' defaults. Each method reads the fields it has in TransformerLens and ignores the rest.
 *
 * <pre>{@code cache.accumulatedResid(StackOptions.defaults().inclMid(true).posSlice(Slice.at(-1)))}</pre>
 *
 * @param layer      stop before this layer; -1 (default) means all layers (TransformerLens' None/-1)
 * @param mode       "all", "attn" or "mlp" (decompose_resid)
 */
public record StackOptions(int layer, boolean inclMid, boolean applyLn, Slice posSlice, Slice batchSlice,
                           Slice neuronSlice, boolean mlpInput, String mode, boolean inclEmbeds,
                           boolean inclRemainder, boolean expandNeurons) {

    public StackOptions {
        if (!mode.equals("all") && !mode.equals("attn") && !mode.equals("mlp")) {
            throw new IllegalArgumentException("mode must be \"all\", \"attn\" or \"mlp\", got \"" + mode + "\"");
        }
    }

    public static StackOptions defaults() {
        return new StackOptions(-1, false, false, Slice.ALL, Slice.ALL, Slice.ALL, false, "all", true, false, true);
    }

    public StackOptions layer(int l) {
        return new StackOptions(l, inclMid, applyLn, posSlice, batchSlice, neuronSlice, mlpInput, mode, inclEmbeds, inclRemainder, expandNeurons);
    }

    public StackOptions inclMid(boolean on) {
        return new StackOptions(layer, on, applyLn, posSlice, batchSlice, neuronSlice, mlpInput, mode, inclEmbeds, inclRemainder, expandNeurons);
    }

    public StackOptions applyLn(boolean on) {
        return new StackOptions(layer, inclMid, on, posSlice, batchSlice, neuronSlice, mlpInput, mode, inclEmbeds, inclRemainder, expandNeurons);
    }

    public StackOptions posSlice(Slice s) {
        return new StackOptions(layer, inclMid, applyLn, s, batchSlice, neuronSlice, mlpInput, mode, inclEmbeds, inclRemainder, expandNeurons);
    }

    public StackOptions batchSlice(Slice s) {
        return new StackOptions(layer, inclMid, applyLn, posSlice, s, neuronSlice, mlpInput, mode, inclEmbeds, inclRemainder, expandNeurons);
    }

    public StackOptions neuronSlice(Slice s) {
        return new StackOptions(layer, inclMid, applyLn, posSlice, batchSlice, s, mlpInput, mode, inclEmbeds, inclRemainder, expandNeurons);
    }

    public StackOptions mlpInput(boolean on) {
        return new StackOptions(layer, inclMid, applyLn, posSlice, batchSlice, neuronSlice, on, mode, inclEmbeds, inclRemainder, expandNeurons);
    }

    public StackOptions mode(String m) {
        return new StackOptions(layer, inclMid, applyLn, posSlice, batchSlice, neuronSlice, mlpInput, m, inclEmbeds, inclRemainder, expandNeurons);
    }

    public StackOptions inclEmbeds(boolean on) {
        return new StackOptions(layer, inclMid, applyLn, posSlice, batchSlice, neuronSlice, mlpInput, mode, on, inclRemainder, expandNeurons);
    }

    public StackOptions inclRemainder(boolean on) {
        return new StackOptions(layer, inclMid, applyLn, posSlice, batchSlice, neuronSlice, mlpInput, mode, inclEmbeds, on, expandNeurons);
    }

    public StackOptions expandNeurons(boolean on) {
        return new StackOptions(layer, inclMid, applyLn, posSlice, batchSlice, neuronSlice, mlpInput, mode, inclEmbeds, inclRemainder, on);
    }
}
