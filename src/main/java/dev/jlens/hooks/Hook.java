package dev.jlens.hooks;

import java.util.function.Predicate;

/**
 * A hook function attached to one hook point by name, or to every hook point whose name satisfies a
 * predicate (TransformerLens' {@code (name_or_filter, fn)} pairs in {@code fwd_hooks}).
 */
public record Hook(String name, Predicate<String> filter, HookFunction function) {
    public Hook {
        if ((name == null) == (filter == null)) throw new IllegalArgumentException("a hook needs either a name or a filter");
        if (function == null) throw new IllegalArgumentException("a hook needs a function");
    }

    public static Hook of(String name, HookFunction function) {
        return new Hook(name, null, function);
    }

    public static Hook matching(Predicate<String> filter, HookFunction function) {
        return new Hook(null, filter, function);
    }
}
