package dev.jlens.hooks;

import dev.jlens.tensor.Tensor;

/**
 * Called with an activation as the forward pass reaches a hook point. Return {@code null} to keep the
 * activation (edits made to it in place still count), or a tensor of the same shape to replace it.
 */
@FunctionalInterface
public interface HookFunction {
    Tensor apply(Tensor activation, HookPoint hook);

    /** A hook that only reads. */
    static HookFunction reading(java.util.function.BiConsumer<Tensor, HookPoint> reader) {
        return (act, hook) -> {
            reader.accept(act, hook);
            return null;
        };
    }
}
