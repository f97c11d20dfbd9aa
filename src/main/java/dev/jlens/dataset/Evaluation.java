package dev.jlens.dataset;

import dev.jlens.analysis.LogitDiff;
import dev.jlens.model.ForwardOptions;
import dev.jlens.model.HookedTransformer;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * TransformerLens' evaluations ({@code evals.py}) as per-batch functions whose results add up: the next-token loss
 * and accuracy over a corpus ({@code evaluate_on_dataset}), the loss on the second half of repeated random tokens
 * ({@code induction_loss}), and the IOI logit difference and accuracy ({@code ioi_eval}). Each row's sums are
 * computed on its own, so the totals do not depend on batching or threads (they are added in row order).
 */
public final class Evaluation {
    private Evaluation() {}

    /**
     * What rows add up to: the sum of a per-item measure (a loss, a logit difference), the items counted, and those
     * counted as right (the next token predicted, the correct answer ahead).
     */
    public record Sums(double sum, long items, long right) implements Serializable {
        public static final Sums ZERO = new Sums(0, 0, 0);

        public Sums plus(Sums o) {
            return new Sums(sum + o.sum, items + o.items, right + o.right);
        }

        public double mean() {
            return sum / items;
        }

        public double accuracy() {
            return (double) right / items;
        }
    }

    /** Next-token loss and accuracy of each row of tokens (a {@link TokenizeAndConcatenate} row), from position {@code from} on. */
    public static BatchFunction<int[], Sums> nextToken(HookedTransformer model, int from) {
        return new ModelFunction<>(model) {
            @Override
            Sums row(HookedTransformer m, int[] tokens) {
                dev.jlens.model.ModelOutput out = m.run(IntTensor.of(new int[][] {tokens}), ForwardOptions.BOTH.withLossPerToken(true));
                Tensor logits = out.logits(), loss = out.loss();
                double sum = 0;
                long right = 0, items = 0;
                int vocab = logits.shape(2);
                float[] l = logits.toArray();
                for (int p = from; p < tokens.length - 1; p++) {
                    sum += loss.item(0, p);
                    items++;
                    int best = 0;
                    for (int v = 1; v < vocab; v++) if (l[p * vocab + v] > l[p * vocab + best]) best = v;
                    if (best == tokens[p + 1]) right++;
                }
                return new Sums(sum, items, right);
            }
        };
    }

    /**
     * {@code induction_loss}: the row is a sequence repeated twice ({@code 2 * half} tokens), BOS put over its first
     * token when {@code prependBos}, and the loss is taken from position {@code half + 1} on, as TransformerLens does.
     */
    public static BatchFunction<int[], Sums> induction(HookedTransformer model, boolean prependBos) {
        return new ModelFunction<>(model) {
            @Override
            Sums row(HookedTransformer m, int[] tokens) {
                int half = tokens.length / 2;
                int[] t = tokens.clone();
                if (prependBos) t[0] = m.tokenizer().bosId();
                Tensor loss = m.lossPerToken(IntTensor.of(new int[][] {t}));
                double sum = 0;
                long items = 0;
                for (int p = half + 1; p < t.length - 1; p++) {
                    sum += loss.item(0, p);
                    items++;
                }
                return new Sums(sum, items, 0);
            }
        };
    }

    /**
     * {@code ioi_eval}: each prompt's logit difference at its own last token (correct minus incorrect) and whether it
     * is positive. A batch's prompts run as one forward pass, padded on the right as TransformerLens pads them
     * ({@code pad_sequence}, no attention mask): attention is causal, so a prompt's positions never see the padding
     * after them, and each is read at its own last token.
     */
    public static BatchFunction<PromptRow, Sums> logitDiff(HookedTransformer model, boolean prependBos) {
        return new BatchFunction<>() {
            private final transient HookedTransformer m = model;

            @Override
            public List<Sums> apply(List<PromptRow> batch) {
                int[][] answers = new int[batch.size()][];
                List<String> prompts = new ArrayList<>();
                int[] last = new int[batch.size()];
                for (int b = 0; b < batch.size(); b++) {
                    PromptRow r = batch.get(b);
                    answers[b] = new int[] {single(m, r, 0, r.correct()), single(m, r, 1, r.incorrect())};
                    prompts.add(r.prompt());
                    last[b] = m.tokenization().encode(r.prompt(), prependBos).length - 1;
                }
                Tensor logits = m.run(m.tokenization().toTokens(prompts, prependBos, false), ForwardOptions.LOGITS).logits();
                List<Sums> out = new ArrayList<>();
                for (int b = 0; b < batch.size(); b++) {
                    Tensor at = logits.get(b, last[b]);
                    float diff = at.item(answers[b][0]) - at.item(answers[b][1]);
                    out.add(new Sums(diff, 1, diff > 0 ? 1 : 0));
                }
                return out;
            }
        };
    }

    private static int single(HookedTransformer m, PromptRow r, int side, String answer) {
        int[] ids = m.tokenizer().encode(answer);
        if (ids.length != 1) {
            throw new BadRow(r.where() + ": answers[" + side + "] \"" + answer + "\" is " + ids.length + " tokens; each answer must be a single token (mind the leading space)");
        }
        return ids[0];
    }

    /** Adds a function's results in row order. */
    public static Sums total(List<Sums> rows) {
        Sums s = Sums.ZERO;
        for (Sums r : rows) s = s.plus(r);
        return s;
    }

    /** A function of one row at a time on a model loaded here (an engine elsewhere would name the model instead). */
    private abstract static class ModelFunction<I> implements BatchFunction<I, Sums> {
        private final transient HookedTransformer model;

        ModelFunction(HookedTransformer model) {
            this.model = model;
        }

        abstract Sums row(HookedTransformer m, I input);

        @Override
        public List<Sums> apply(List<I> batch) {
            List<Sums> out = new ArrayList<>();
            for (I input : batch) out.add(row(model, input));
            return out;
        }
    }
}
