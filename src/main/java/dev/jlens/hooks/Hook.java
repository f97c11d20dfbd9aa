package dev.jlens.hooks;

import java.util.function.Predicate;

/**
 * A hook function attached to one hook point by name, or to every hook point whose name satisfies a
 * predicate (TransformerLens' {@code (name_or_filter, fn)} pairs), running in the forward pass or, for a
 * backward hook ({@code dir="bwd"}), on the gradient at that point in a gradient run.
 */
public record Hook(String name, Predicate<String> filter, HookFunction function, boolean backward) {
    public Hook {
        if ((name == null) == (filter == null)) throw new IllegalArgumentException("a hook needs either a name or a filter");
        if (function == null) throw new IllegalArgumentException("a hook needs a function");
    }

    public Hook(String name, Predicate<String> filter, HookFunction function) {
        this(name, filter, function, false);
    }

    public static Hook of(String name, HookFunction function) {
        return new Hook(name, null, function);
    }

    public static Hook matching(Predicate<String> filter, HookFunction function) {
        return new Hook(null, filter, function);
    }

    /**
     * A backward hook: called with the gradient of the run's metric with respect to the activation at
     * {@code name} (same shape); return null to keep it (edits in place count) or a tensor to replace it.
     */
    public static Hook backward(String name, HookFunction function) {
        return new Hook(name, null, function, true);
    }

    /** A backward hook on every hook point whose name satisfies the filter. */
    public static Hook backwardMatching(Predicate<String> filter, HookFunction function) {
        return new Hook(null, filter, function, true);
    }
}
