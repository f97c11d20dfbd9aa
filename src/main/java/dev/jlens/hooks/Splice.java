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

    /**
     * The forward of a gradient run: {@link #apply}'s output, and the way back from its gradient to the
     * activation's. Modules that cannot be differentiated keep this default, which refuses.
     */
    default Traced trace(Tensor activation, ChildHooks hooks) {
        throw new dev.jlens.JlensException("gradients are not computed through the module spliced in at " + hookName());
    }

    /** A traced forward: the output, and its {@link Backward}. */
    record Traced(Tensor output, Backward backward) {}

    /** One traced forward's backward pass. */
    @FunctionalInterface
    interface Backward {
        /**
         * The gradient with respect to the activation from that with respect to the output. Each child hook point's
         * gradient goes through {@code gradients.fire(child, g)}, which runs its backward hooks and zeroes the elements a
         * forward hook replaced (as the model's own hook points do); the result is the gradient to go on with.
         */
        Tensor apply(Tensor outputGradient, ChildHooks gradients);
    }

    /** Runs the hooks of a splice's child hook point (forward hooks on activations, backward hooks on gradients). */
    @FunctionalInterface
    interface ChildHooks {
        /** The child's activation after its hooks (the same tensor when none replaced it). */
        Tensor fire(String child, Tensor activation);
    }
}
