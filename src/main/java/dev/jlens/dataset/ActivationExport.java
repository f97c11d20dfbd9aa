package dev.jlens.dataset;

import dev.jlens.JlensException;
import dev.jlens.cache.ActivationCache;
import dev.jlens.model.CacheOptions;
import dev.jlens.model.ForwardOptions;
import dev.jlens.model.HookedTransformer;
import dev.jlens.tensor.Tensor;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code jlens activations} per batch: the activations at the hook points a regular expression names (in full, as
 * {@code jlens cache --names}) for each row of tokens. A batch's rows of one length run as one forward pass.
 */
public final class ActivationExport implements BatchFunction<TokenRow, ActivationExport.Row> {
    /** A row's activations, by hook name in the model's order, each with its shape (positions first). */
    public record Row(TokenRow source, LinkedHashMap<String, float[]> activations, LinkedHashMap<String, int[]> shapes) implements Serializable {}

    private final NamedModel model;
    private final String hooks;

    /** An export that loads {@code model} (a folder or a known name) where it runs. */
    public ActivationExport(String model, String hooksRegex) {
        this(new NamedModel(model), hooksRegex);
    }

    private ActivationExport(NamedModel model, String hooksRegex) {
        this.model = model;
        this.hooks = hooksRegex;
        CacheOptions.regex(hooksRegex);  // a bad expression fails here, not on a worker
    }

    /** Refuses hooks that match none of a model's hook points. */
    public static void checkMatches(String hooksRegex, java.util.Collection<String> hookPoints) {
        if (hookPoints.stream().noneMatch(CacheOptions.regex(hooksRegex))) {
            throw new JlensException("--hooks '" + hooksRegex + "' matches no hook point (e.g. blocks\\.0\\.hook_resid_pre)");
        }
    }

    /** An export on a model already loaded here (with SAEs spliced in, say). */
    public static ActivationExport on(HookedTransformer model, String hooksRegex) {
        return new ActivationExport(new NamedModel(model), hooksRegex);
    }

    @Override
    public List<Row> apply(List<TokenRow> batch) {
        List<Row> out = new ArrayList<>(batch.size());
        for (List<TokenRow> run : TokenRow.runsOfOneLength(batch)) out.addAll(run(run));
        return out;
    }

    /** Rows of one length, as one forward pass. */
    private List<Row> run(List<TokenRow> rows) {
        ActivationCache cache = model.get().runWithCache(TokenRow.stack(rows),
                CacheOptions.ALL.withNamesFilter(CacheOptions.regex(hooks)).withForward(ForwardOptions.NONE)).cache();
        if (cache.size() == 0) throw new JlensException("--hooks '" + hooks + "' matches no hook point of " + model.name() + " (e.g. blocks\\.0\\.hook_resid_pre)");
        List<Row> out = new ArrayList<>();
        for (int b = 0; b < rows.size(); b++) {
            LinkedHashMap<String, float[]> values = new LinkedHashMap<>();
            LinkedHashMap<String, int[]> shapes = new LinkedHashMap<>();
            for (Map.Entry<String, Tensor> e : cache.asMap().entrySet()) {
                Tensor t = e.getValue().get(b);
                values.put(e.getKey(), t.toArray());
                shapes.put(e.getKey(), t.shape());
            }
            out.add(new Row(rows.get(b), values, shapes));
        }
        return out;
    }
}
