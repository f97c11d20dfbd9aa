package dev.jlens.sae;

import dev.jlens.JlensException;
import dev.jlens.hooks.HookPoints;
import dev.jlens.hooks.Splice;
import dev.jlens.model.HookedTransformer;
import dev.jlens.model.ModelConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * SAELens' {@code HookedSAETransformer} over a {@link HookedTransformer}: {@code withSaes(model, useErrorTerm, sae...)}
 * is the model with each SAE spliced in at its hook point ({@code add_sae}); every entry point (runs, caches,
 * test_prompt, generate, hooks) then sees the SAEs, and their hook points {@code <hook>.hook_sae_*} can be hooked and
 * cached like the model's own. The model's hook point at the SAE's site stays: it holds the SAE's input.
 */
public final class Saes {
    private Saes() {
    }

    /**
     * The model with these SAEs spliced in, after any it has; an SAE at a hook point that already has one replaces
     * it (as {@code add_sae} does). An SAE for a hook point the model lacks, or whose d_in is not that point's width,
     * is refused with one line naming the SAE.
     */
    public static HookedTransformer withSaes(HookedTransformer model, boolean useErrorTerm, List<Sae> saes) {
        List<Splice> splices = new ArrayList<>(model.splices());
        for (Sae sae : saes) {
            check(model, sae);
            splices.removeIf(s -> s.hookName().equals(sae.hookName()));
            splices.add(new SaeSplice(sae, useErrorTerm));
        }
        HookedTransformer out = model.withoutInterventions().withHooks(model.hooks());
        for (Splice s : splices) out = out.withSplice(s);
        return out;
    }

    public static HookedTransformer withSaes(HookedTransformer model, boolean useErrorTerm, Sae... saes) {
        return withSaes(model, useErrorTerm, List.of(saes));
    }

    /** The SAEs spliced into a model, in the order they were added. */
    public static List<SaeSplice> of(HookedTransformer model) {
        List<SaeSplice> out = new ArrayList<>();
        for (Splice s : model.splices()) if (s instanceof SaeSplice sae) out.add(sae);
        return out;
    }

    /** Refuses an SAE for a hook point the model lacks, or whose d_in does not match it. */
    static void check(HookedTransformer model, Sae sae) {
        ModelConfig cfg = model.cfg();
        String hook = sae.hookName();
        if (!model.withoutInterventions().hookPoints().contains(hook)) {
            throw new JlensException(sae.source() + ": the SAE is for hook point " + hook + ", which " + cfg.modelName()
                    + " does not have (" + cfg.nLayers() + " layers, blocks.0 to blocks." + (cfg.nLayers() - 1) + ")");
        }
        int width = inputWidth(cfg, hook, sae.cfg().reshapeHookZ());
        if (width > 0 && width != sae.cfg().dIn()) {
            throw new JlensException(sae.source() + ": the SAE has d_in " + sae.cfg().dIn() + ", but " + hook + " of " + cfg.modelName()
                    + " has width " + width + " (an SAE for another model?)");
        }
    }

    /** The width of the vectors an SAE at this hook point reads, or 0 when jlens cannot tell before a run. */
    static int inputWidth(ModelConfig cfg, String hook, boolean headsFlattened) {
        for (HookPoints.Global g : HookPoints.Global.values()) {
            if (g.hookName.equals(hook)) return g == HookPoints.Global.UNEMBED_OUT ? cfg.dVocabOut() : g.name().endsWith("SCALE") ? 1 : cfg.dModel();
        }
        String suffix = hook.replaceFirst("^blocks\\.\\d+\\.", "");
        for (HookPoints.Site s : HookPoints.Site.values()) {
            if (!s.suffix.equals(suffix)) continue;
            return switch (s) {
                case RESID_PRE, RESID_MID, RESID_POST, ATTN_OUT, MLP_OUT, MLP_IN, LN1_NORMALIZED, LN2_NORMALIZED, RESULT, ATTN_IN,
                     Q_INPUT, K_INPUT, V_INPUT -> cfg.dModel();
                case MLP_PRE, MLP_POST -> cfg.dMlp();
                case Q, K, V, Z -> headsFlattened ? cfg.nHeads() * cfg.dHead() : cfg.dHead();
                default -> 0;
            };
        }
        return 0;
    }
}
