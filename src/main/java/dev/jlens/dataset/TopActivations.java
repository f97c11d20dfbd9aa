package dev.jlens.dataset;

import dev.jlens.JlensException;
import dev.jlens.cache.ActivationCache;
import dev.jlens.model.CacheOptions;
import dev.jlens.model.ForwardOptions;
import dev.jlens.model.HookedTransformer;
import dev.jlens.tensor.Tensor;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code jlens top-activations} per batch: for each row of tokens and each unit of one hook point (a neuron of
 * {@code blocks.0.mlp.hook_post}, a feature of an SAE's {@code <hook>.hook_sae_acts_post}; any hook shaped
 * {@code [positions, ...]}, its units the flattened trailing dimensions), the row's top {@code k} positions. A
 * {@link TopActivationsReducer} merges the rows' tops into the dataset's. Positions rank by value, highest first,
 * ties by position, so a row's top is one list whatever the batch.
 */
public final class TopActivations implements BatchFunction<TokenRow, TopActivations.RowTop> {
    /**
     * A row's top: for unit u, {@code counts[u]} entries at {@code [u * k, u * k + counts[u])} of values and
     * positions, best first (fewer than k when the row has fewer positions).
     */
    public record RowTop(TokenRow source, int units, int k, float[] values, int[] positions, int[] counts) implements Serializable {}

    private final NamedModel model;
    private final String hook;
    private final int k;

    /** Tops of {@code hook} on {@code model} (a folder or a known name, loaded where the function runs). */
    public TopActivations(String model, String hook, int k) {
        this(new NamedModel(model), hook, k);
    }

    private TopActivations(NamedModel model, String hook, int k) {
        if (k < 1) throw new IllegalArgumentException("k must be 1 or more, got " + k);
        this.model = model;
        this.hook = hook;
        this.k = k;
    }

    /** Refuses a hook that a model (named {@code model}, with SAEs spliced in or not) does not have. */
    public static void checkHook(String hook, String model, java.util.Collection<String> hookPoints, boolean withSaes) {
        if (!hookPoints.contains(hook)) {
            throw new JlensException("--hook: " + model + " has no hook point \"" + hook + "\" (e.g. blocks.0.mlp.hook_post"
                    + (withSaes ? "" : "; an SAE's features need --sae") + ")");
        }
    }

    /** Tops on a model already loaded here (with SAEs spliced in, whose feature hooks then exist). */
    public static TopActivations on(HookedTransformer model, String hook, int k) {
        return new TopActivations(new NamedModel(model), hook, k);
    }

    @Override
    public List<RowTop> apply(List<TokenRow> batch) {
        List<RowTop> out = new ArrayList<>(batch.size());
        for (List<TokenRow> rows : TokenRow.runsOfOneLength(batch)) {
            Tensor acts = activations(rows);
            for (int b = 0; b < rows.size(); b++) out.add(top(rows.get(b), acts.get(b)));
        }
        return out;
    }

    /** The hook's activations of rows of one length, {@code [rows, positions, ...]}. */
    private Tensor activations(List<TokenRow> rows) {
        ActivationCache cache = model.get().runWithCache(TokenRow.stack(rows),
                CacheOptions.ALL.withNamesFilter(CacheOptions.names(hook)).withForward(ForwardOptions.NONE)).cache();
        if (!cache.contains(hook)) throw new JlensException("--hook: " + model.name() + " has no hook point \"" + hook + "\"");
        Tensor t = cache.get(hook);
        if (t.shape().length < 3 || t.shape(1) != rows.getFirst().tokens().length || hook.endsWith("hook_pattern") || hook.endsWith("hook_attn_scores")) {
            throw new JlensException("--hook: \"" + hook + "\" is not shaped [positions, units] per row (it is " + java.util.Arrays.toString(t.shape())
                    + " for a batch); name one with a value per position, e.g. blocks.0.mlp.hook_post");
        }
        return t;
    }

    private RowTop top(TokenRow row, Tensor acts) {
        int positions = acts.shape(0);
        float[] a = acts.toArray();
        int units = a.length / positions;
        float[] values = new float[units * k];
        int[] at = new int[units * k], counts = new int[units];
        for (int u = 0; u < units; u++) {
            int base = u * k, n = 0;
            for (int p = 0; p < positions; p++) {
                float v = a[p * units + u];
                if (Float.isNaN(v)) continue;
                // Insert keeping the order; an equal value stays after the earlier position.
                if (n == k && !(v > values[base + k - 1])) continue;
                int i = Math.min(n, k - 1);
                while (i > 0 && v > values[base + i - 1]) {
                    values[base + i] = values[base + i - 1];
                    at[base + i] = at[base + i - 1];
                    i--;
                }
                values[base + i] = v;
                at[base + i] = p;
                if (n < k) n++;
            }
            counts[u] = n;
        }
        return new RowTop(row, units, k, values, at, counts);
    }
}
