package dev.jlens.dataset;

import dev.jlens.io.Json;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Sequences of random tokens repeated twice, as TransformerLens' {@code evals.induction_loss} makes them: token ids
 * drawn uniformly from [100, 20000), the first half repeated. A model with induction heads predicts the second half
 * well. The BOS token is not written: the evaluation puts it over the first token, as TransformerLens does.
 */
public final class InductionDataset {
    public static final int LOW = 100, HIGH = 20000;
    public static final String TOKENS = "tokens";

    private InductionDataset() {}

    /** {@code n} rows of {@code 2 * half} token ids. */
    public static List<int[]> generate(int n, int half, long seed) {
        Random random = new Random(seed);
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] row = new int[2 * half];
            for (int p = 0; p < half; p++) row[p] = row[p + half] = LOW + random.nextInt(HIGH - LOW);
            out.add(row);
        }
        return out;
    }

    public static Json.Obj toJson(int[] tokens) {
        return new Json.Obj().put(TOKENS, Json.Arr.ofInts(tokens));
    }
}
