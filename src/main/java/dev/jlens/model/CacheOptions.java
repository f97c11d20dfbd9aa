package dev.jlens.model;

import dev.jlens.hooks.Hook;

import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Options of {@code run_with_cache}: which activations to keep ({@code names_filter}), whether to drop
 * the batch dimension (element 0 of each, as TransformerLens does without checking the batch size), the
 * forward options, hooks that run before caching, and the metric whose gradients to keep as well
 * ({@code incl_bwd}: entries {@code <hook name>_grad}), or null.
 */
public record CacheOptions(Predicate<String> namesFilter, boolean removeBatchDim, ForwardOptions forward, List<Hook> hooks,
                           LogitMetric inclBwd) {
    public static final CacheOptions ALL = new CacheOptions(name -> true, false, ForwardOptions.LOGITS, List.of());

    public CacheOptions {
        hooks = List.copyOf(hooks);
    }

    public CacheOptions(Predicate<String> namesFilter, boolean removeBatchDim, ForwardOptions forward, List<Hook> hooks) {
        this(namesFilter, removeBatchDim, forward, hooks, null);
    }

    /**
     * Also run the backward pass of {@code metric} and keep the gradient at every hook point the filter
     * keeps, as {@code <hook name>_grad} (TransformerLens' {@code incl_bwd=True}, with the metric in place of
     * {@code model_out.backward()}).
     */
    public CacheOptions withInclBwd(LogitMetric metric) {
        return new CacheOptions(namesFilter, removeBatchDim, forward, hooks, metric);
    }

    /** Only the hook names in this set (TransformerLens' list form; a one-name set is its string form). */
    public static Predicate<String> names(String... names) {
        Set<String> set = Set.of(names);
        return set::contains;
    }

    /** Hook names the regular expression matches in full, as {@code jlens cache --names} does. */
    public static Predicate<String> regex(String regex) {
        Pattern p = Pattern.compile(regex);
        return name -> p.matcher(name).matches();
    }

    public CacheOptions withNamesFilter(Predicate<String> filter) {
        return new CacheOptions(filter, removeBatchDim, forward, hooks, inclBwd);
    }

    public CacheOptions withRemoveBatchDim(boolean on) {
        return new CacheOptions(namesFilter, on, forward, hooks, inclBwd);
    }

    public CacheOptions withForward(ForwardOptions options) {
        return new CacheOptions(namesFilter, removeBatchDim, options, hooks, inclBwd);
    }

    public CacheOptions withHooks(List<Hook> extra) {
        return new CacheOptions(namesFilter, removeBatchDim, forward, extra, inclBwd);
    }
}
