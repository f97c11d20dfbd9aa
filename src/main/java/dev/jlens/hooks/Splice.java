package dev.jlens.hooks;

import dev.jlens.tensor.Tensor;

import java.util.List;

/**
 * A module spliced into the model at a hook point (a sparse autoencoder, say): the forward pass hands it the
 * activation there, after that point's hooks ran, and goes on with what it returns. It may declare hook points
 * of its own, named {@code <hook point>.<child>} (e.g. {@code blocks.3.hook_resid_pre.hook_sae_acts_post}), which
 * it fires through {@link ChildHooks}; hooks and caches reach them by name like any other hook point.
 */
public interface Splice {
    /** The hook point it sits at, e.g. {@code blocks.3.hook_resid_pre}. */
    String hookName();

    /** Its own hook points' short names, in the order it fires them, e.g. {@code hook_sae_acts_post}. */
    List<String> childHookPoints();

    /** Its output, of the activation's shape; {@code hooks.fire("hook_sae_acts_post", acts)} runs a child's hooks. */
    Tensor apply(Tensor activation, ChildHooks hooks);

    /** Runs the hooks of a splice's child hook point. */
    @FunctionalInterface
    interface ChildHooks {
        /** The child's activation after its hooks (the same tensor when none replaced it). */
        Tensor fire(String child, Tensor activation);
    }
}
