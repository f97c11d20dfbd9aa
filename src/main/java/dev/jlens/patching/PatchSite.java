package dev.jlens.patching;

import dev.jlens.model.PatchEngine;
import dev.jlens.tensor.Tensor;

import java.util.Arrays;
import java.util.Optional;
import java.util.Set;

/**
 * An activation the patching sweeps paste clean values into (TransformerLens' {@code activation_name}), and
 * how the {@link PatchEngine} recomputes a patched run from it. A site without a {@link Recompute} is swept
 * the plain way, one full forward pass per index.
 */
public enum PatchSite {
    RESID_PRE("resid_pre", 1, Set.of(), FastSweep::fromResidPre),
    RESID_MID("resid_mid", 1, Set.of(), FastSweep::fromResidMid),
    ATTN_OUT("attn_out", 1, Set.of("attn_out"), FastSweep::fromAttnOut),
    MLP_OUT("mlp_out", 1, Set.of("mlp_out"), FastSweep::fromMlpOut),
    Z("z", 1, Set.of("z"), FastSweep::fromZ),
    Q("q", 1, Set.of("q"), FastSweep::fromQ),
    K("k", 1, Set.of("q"), FastSweep::fromK),
    V("v", 1, Set.of("q"), FastSweep::fromV),
    PATTERN("pattern", 2, Set.of("pattern"), FastSweep::fromPattern);

    /** The engine's patched run of layer {@code layer} from position {@code from}, given the patched activation. */
    @FunctionalInterface
    interface Recompute {
        PatchEngine.Job from(FastSweep sweep, int layer, int from, Tensor patched);
    }

    private final String actName;
    private final int positionDim;
    private final Set<String> engineSites;
    private final Recompute recompute;

    PatchSite(String actName, int positionDim, Set<String> engineSites, Recompute recompute) {
        this.actName = actName;
        this.positionDim = positionDim;
        this.engineSites = engineSites;
        this.recompute = recompute;
    }

    /** The short name {@code get_act_name} takes, e.g. {@code resid_pre} or {@code pattern}. */
    public String actName() {
        return actName;
    }

    /** Whether the engine's fast path sweeps it (else each index is a full forward pass). */
    public boolean hasFastPath() {
        return recompute != null;
    }

    /** The dimension of the activation that runs over positions ([batch, pos, ...], a pattern's dest_pos). */
    int positionDim() {
        return positionDim;
    }

    /** The corrupted activations the engine keeps for it besides the residual stream, keys and values. */
    Set<String> engineSites() {
        return engineSites;
    }

    Recompute recompute() {
        return recompute;
    }

    public static Optional<PatchSite> byActName(String actName) {
        return Arrays.stream(values()).filter(s -> s.actName.equals(actName)).findFirst();
    }
}
