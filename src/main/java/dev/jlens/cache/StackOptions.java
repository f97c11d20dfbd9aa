package dev.jlens.cache;

import dev.jlens.util.RecordCopy;

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

    public StackOptions layer(int l) { return RecordCopy.with(this, "layer", l); }
    public StackOptions inclMid(boolean on) { return RecordCopy.with(this, "inclMid", on); }
    public StackOptions applyLn(boolean on) { return RecordCopy.with(this, "applyLn", on); }
    public StackOptions posSlice(Slice s) { return RecordCopy.with(this, "posSlice", s); }
    public StackOptions batchSlice(Slice s) { return RecordCopy.with(this, "batchSlice", s); }
    public StackOptions neuronSlice(Slice s) { return RecordCopy.with(this, "neuronSlice", s); }
    public StackOptions mlpInput(boolean on) { return RecordCopy.with(this, "mlpInput", on); }
    public StackOptions mode(String m) { return RecordCopy.with(this, "mode", m); }
    public StackOptions inclEmbeds(boolean on) { return RecordCopy.with(this, "inclEmbeds", on); }
    public StackOptions inclRemainder(boolean on) { return RecordCopy.with(this, "inclRemainder", on); }
    public StackOptions expandNeurons(boolean on) { return RecordCopy.with(this, "expandNeurons", on); }
}
