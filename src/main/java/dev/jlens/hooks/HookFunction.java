package dev.jlens.hooks;

import dev.jlens.tensor.Tensor;

/**
 * Called with an activation as the forward pass reaches a hook point (or with its gradient, for a backward
 * hook). Return {@code null} to keep the activation (edits made to it in place still count), or a tensor of
 * the same shape to replace it.
 */
@FunctionalInterface
public interface HookFunction {
    Tensor apply(Tensor activation, HookPoint hook);

    /** A hook that only reads: a gradient run then need not watch what it changes. */
    static HookFunction reading(java.util.function.BiConsumer<Tensor, HookPoint> reader) {
        return new Reading(reader);
    }

    /** The hook functions {@link #reading} makes. */
    record Reading(java.util.function.BiConsumer<Tensor, HookPoint> reader) implements HookFunction {
        @Override
        public Tensor apply(Tensor activation, HookPoint hook) {
            reader.accept(activation, hook);
            return null;
        }
    }
}
