package dev.jlens.sae;

import dev.jlens.JlensException;
import dev.jlens.hooks.Splice;
import dev.jlens.tensor.Shape;
import dev.jlens.tensor.Tensor;

import java.util.List;

/**
 * An SAE spliced in at its hook point, as SAELens' {@code HookedSAETransformer} runs it: the model goes on with the
 * SAE's output, and the SAE's own hook points fire in between ({@code <hook>.hook_sae_input}, ...). With
 * {@code use_error_term} the SAE also runs once without its hooks, and {@code hook_sae_error} = input - that clean
 * reconstruction is added to the (hooked) reconstruction: with no edit the output is the input (up to float32
 * rounding), and edits to features show in the output.
 */
public final class SaeSplice implements Splice {
    public static final String INPUT = "hook_sae_input", ACTS_PRE = "hook_sae_acts_pre", ACTS_POST = "hook_sae_acts_post",
            RECONS = "hook_sae_recons", ERROR = "hook_sae_error", OUTPUT = "hook_sae_output";
    private static final List<String> CHILDREN = List.of(INPUT, ACTS_PRE, ACTS_POST, RECONS, ERROR, OUTPUT);
    private static final ChildHooks NO_HOOKS = (child, activation) -> activation;

    private final Sae sae;
    private final boolean useErrorTerm;

    public SaeSplice(Sae sae, boolean useErrorTerm) {
        this.sae = sae;
        this.useErrorTerm = useErrorTerm;
    }

    public Sae sae() {
        return sae;
    }

    public boolean useErrorTerm() {
        return useErrorTerm;
    }

    @Override
    public String hookName() {
        return sae.hookName();
    }

    @Override
    public List<String> childHookPoints() {
        return CHILDREN;
    }

    @Override
    public Tensor apply(Tensor activation, ChildHooks hooks) {
        int[] shape = activation.shape();
        Tensor x = flattened(activation);
        Tensor out = run(x.copy(), hooks);  // a copy: a hook on hook_sae_input may write into it; the error term needs x
        if (useErrorTerm) {
            Tensor clean = run(x.copy(), NO_HOOKS);
            Tensor error = hooks.fire(ERROR, activation.sub(clean.reshape(shape)));
            out = out.reshape(shape).add(error);
        }
        return hooks.fire(OUTPUT, out.reshape(shape));
    }

    /** The rows the SAE reads: the activation, heads flattened into one vector for a {@code hook_z} SAE. */
    private Tensor flattened(Tensor activation) {
        int[] shape = activation.shape();
        int rank = shape.length;
        Tensor x = sae.cfg().reshapeHookZ() && rank >= 2 ? activation.reshape(shapeWithLast(shape, rank - 2, shape[rank - 2] * shape[rank - 1])) : activation;
        int width = x.shape(x.rank() - 1);
        if (width != sae.cfg().dIn()) {
            throw new JlensException(sae.source() + ": the SAE reads vectors of d_in " + sae.cfg().dIn() + ", but the activation at "
                    + sae.hookName() + " has shape " + Shape.str(shape));
        }
        return x;
    }

    private static int[] shapeWithLast(int[] shape, int lastDim, int width) {
        int[] s = java.util.Arrays.copyOf(shape, lastDim + 1);
        s[lastDim] = width;
        return s;
    }

    /** SAELens' {@code forward} without the error term, firing the hook points as it goes. */
    private Tensor run(Tensor x, ChildHooks hooks) {
        Tensor input = hooks.fire(INPUT, x);
        Sae.Normalized normalized = sae.normalize(input);
        Tensor s = sae.centered(normalized.values());
        Tensor pre = hooks.fire(ACTS_PRE, sae.preActivations(s));
        Tensor post = hooks.fire(ACTS_POST, sae.activations(pre, s));
        Tensor recons = hooks.fire(RECONS, sae.reconstruction(post));
        return sae.denormalize(recons.copy(), normalized);
    }
}
