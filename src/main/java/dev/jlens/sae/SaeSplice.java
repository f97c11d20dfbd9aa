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
        if (!useErrorTerm) return hooks.fire(OUTPUT, run(x.copy(), hooks, null, false).out().reshape(shape));
        Pass clean = Pass.of(sae, x);
        Tensor out = run(x.copy(), hooks, clean, false).out();
        Tensor error = hooks.fire(ERROR, activation.sub(clean.out().reshape(shape)));
        return hooks.fire(OUTPUT, out.reshape(shape).add(error));
    }

    /**
     * {@link #apply}, keeping what the backward pass needs. The backward is PyTorch's of SAELens' forward: from
     * {@code hook_sae_output} back through the decoder, the activation function, the encoder and the normalization
     * (whose statistics the decoder reuses) to {@code hook_sae_input} and the activation. The error term is computed
     * under {@code no_grad} in SAELens, so it is a constant: the gradient passes through the reconstruction only, and
     * {@code hook_sae_error} gets none.
     */
    @Override
    public Traced trace(Tensor activation, ChildHooks hooks) {
        int[] shape = activation.shape();
        Tensor x = flattened(activation);
        Pass clean = useErrorTerm ? Pass.of(sae, x) : null;
        Pass hooked = run(x.copy(), hooks, clean, true);
        Tensor out = hooked.out().reshape(shape);
        if (useErrorTerm) out = out.add(hooks.fire(ERROR, activation.sub(clean.out().reshape(shape))));
        Tensor output = hooks.fire(OUTPUT, out);
        return new Traced(output, (gradient, gradients) -> {
            Tensor gOut = flattened(gradients.fire(OUTPUT, gradient));
            Tensor gRecons = gradients.fire(RECONS, sae.denormalizeBackward(gOut, hooked.normalized()));
            Tensor gPost = gradients.fire(ACTS_POST, sae.reconstructionBackward(gRecons));
            Tensor gPre = gradients.fire(ACTS_PRE, sae.activationsBackward(hooked.post(), gPost));
            Tensor gNormalized = sae.preActivationsBackward(gPre);
            Tensor gInput = sae.normalizationBackward(hooked.input(), hooked.normalized(), gNormalized, hooked.recons(), gOut);
            return gradients.fire(INPUT, gInput).reshape(shape);
        });
    }

    /**
     * Every step of one pass: without hooks, kept so a hooked pass whose hooks change nothing need not compute it
     * again; or of a hooked pass, for its backward ({@code input}, {@code pre} and {@code recons} as the hooks left
     * them, {@code post} as the activation function gave it).
     */
    private record Pass(Tensor input, Sae.Normalized normalized, Tensor s, Tensor pre, Tensor post, Tensor recons, Tensor out) {
        static Pass of(Sae sae, Tensor x) {
            Sae.Normalized normalized = sae.normalize(x);
            Tensor s = sae.centered(normalized.values());
            Tensor pre = sae.preActivations(s);
            Tensor post = sae.activations(pre, s);
            Tensor recons = sae.reconstruction(post);
            return new Pass(x, normalized, s, pre, post, recons, sae.denormalize(recons.copy(), normalized));
        }
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

    /**
     * SAELens' {@code forward} without the error term, firing the hook points as it goes. With the error term the
     * same SAE also runs without hooks ({@code clean}); while every hook so far left its value as it was (bit for
     * bit), the clean pass's next step is that of this pass too and is copied instead of computed again. With
     * {@code keepActivations} the activation function's output stays as it was whatever the hooks do (for the backward).
     */
    private Pass run(Tensor x, ChildHooks hooks, Pass clean, boolean keepActivations) {
        Tensor input = hooks.fire(INPUT, x);
        boolean same = clean != null && sameBits(input, clean.input());
        Sae.Normalized normalized = same ? clean.normalized() : sae.normalize(input);
        Tensor s = same ? clean.s() : sae.centered(normalized.values());
        Tensor pre = hooks.fire(ACTS_PRE, same ? clean.pre().copy() : sae.preActivations(s));
        same = same && sameBits(pre, clean.pre());
        Tensor activated = same ? clean.post() : sae.activations(pre, s);
        Tensor post = hooks.fire(ACTS_POST, same || keepActivations ? activated.copy() : activated);
        same = same && sameBits(post, clean.post());
        Tensor recons = hooks.fire(RECONS, same ? clean.recons().copy() : sae.reconstruction(post));
        same = same && sameBits(recons, clean.recons());
        Tensor out = same ? clean.out().copy() : sae.denormalize(recons.copy(), normalized);
        return new Pass(input, normalized, s, pre, activated, recons, out);
    }

    private static boolean sameBits(Tensor a, Tensor b) {
        return a.size() == b.size() && java.util.Arrays.equals(a.data(), a.offset(), a.offset() + a.size(), b.data(), b.offset(), b.offset() + b.size());
    }
}
