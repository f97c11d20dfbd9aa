package dev.jlens.analysis;

import dev.jlens.JlensException;
import dev.jlens.model.HookedTransformer;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;
import dev.jlens.util.PyFormat;
import dev.jlens.util.PyRepr;
import dev.jlens.util.RichText;

import java.util.ArrayList;
import java.util.List;

/**
 * TransformerLens' {@code utils.test_prompt}: how the model ranks the answer after the prompt, and its top
 * tokens, printed as TransformerLens prints them (spec section 9), byte for byte on a console that is not
 * a terminal. Returns the text rather than printing it; {@link #ranks} gives the numbers.
 */
public final class TestPrompt {
    /** One answer token at one answer position: its string and 0-based rank by probability. */
    public record Rank(String token, int rank) {}

    private final HookedTransformer model;
    private boolean prependSpaceToAnswer = true;
    private boolean printDetails = true;
    private Boolean prependBos;
    private int topK = 10;
    private int consoleWidth = RichText.consoleWidth();

    public TestPrompt(HookedTransformer model) {
        this.model = model;
    }

    public TestPrompt prependSpaceToAnswer(boolean on) {
        this.prependSpaceToAnswer = on;
        return this;
    }

    public TestPrompt printDetails(boolean on) {
        this.printDetails = on;
        return this;
    }

    public TestPrompt prependBos(Boolean on) {
        this.prependBos = on;
        return this;
    }

    public TestPrompt topK(int k) {
        if (k < 0) throw new IllegalArgumentException("top_k must be >= 0, got " + k);
        this.topK = k;
        return this;
    }

    /** Width rich wraps its lines at (COLUMNS, else 80). */
    public TestPrompt consoleWidth(int width) {
        this.consoleWidth = width;
        return this;
    }

    /** The transcript for one answer (which may be several tokens). */
    public String run(String prompt, String answer) {
        return run(prompt, List.of(answer));
    }

    /** The transcript; with several answers, only each answer's first token is compared. */
    public String run(String prompt, List<String> answers) {
        return compute(prompt, answers).transcript();
    }

    /** Ranks per answer position (one list per position, one entry per answer). */
    public List<List<Rank>> ranks(String prompt, List<String> answers) {
        return compute(prompt, answers).ranks();
    }

    private record Outcome(String transcript, List<List<Rank>> ranks) {}

    private Outcome compute(String prompt, List<String> rawAnswers) {
        boolean bos = prependBos == null ? model.cfg().defaultPrependBos() : prependBos;
        boolean multiple = rawAnswers.size() > 1;
        List<String> answers = rawAnswers.stream()
                .map(a -> prependSpaceToAnswer && !a.startsWith(" ") ? " " + a : a).toList();
        int[] promptIds = model.tokenization().encode(prompt, bos);
        if (promptIds.length == 0) {
            throw new JlensException("the prompt is empty and BOS is not prepended, so it has no tokens to predict the answer from");
        }
        if (topK > model.cfg().dVocabOut()) {
            throw new JlensException("top_k " + topK + " is more than the model's " + model.cfg().dVocabOut() + " tokens (d_vocab)");
        }
        IntTensor answerTokens = model.toTokens(answers, false);
        int answerCols = multiple ? 1 : answerTokens.shape(1);
        int n = answers.size(), promptLen = promptIds.length;

        int[][] rows = new int[n][promptLen + answerCols];
        for (int i = 0; i < n; i++) {
            System.arraycopy(promptIds, 0, rows[i], 0, promptLen);
            for (int j = 0; j < answerCols; j++) rows[i][promptLen + j] = answerTokens.item(i, j);
        }
        List<List<String>> answerStrTokens = new ArrayList<>();
        for (String a : answers) answerStrTokens.add(model.toStrTokens(a, false));
        int answerLen = multiple ? 1 : answerStrTokens.getFirst().size();

        StringBuilder out = new StringBuilder();
        if (printDetails) {
            out.append("Tokenized prompt: ").append(PyRepr.list(model.toStrTokens(promptIds))).append('\n');
            if (multiple) out.append("Tokenized answers: ").append(PyRepr.list(answerStrTokens)).append('\n');
            else out.append("Tokenized answer: ").append(PyRepr.list(answerStrTokens.getFirst())).append('\n');
        }
        Tensor logits = model.forward(IntTensor.of(rows));
        int vocab = logits.shape(2), seq = logits.shape(1);
        List<List<Rank>> ranks = new ArrayList<>();
        for (int index = promptLen; index < promptLen + answerLen; index++) {
            List<Rank> atPosition = new ArrayList<>();
            StringBuilder markup = new StringBuilder("Performance on answer token" + (n > 1 ? "s" : "") + ":\n");
            Tensor.TopK sortedRow0 = null;
            float[] logitsRow0 = null;
            for (int i = 0; i < n; i++) {
                float[] row = logitsAt(logits, i, index - 1, seq, vocab);
                Tensor probs = Tensor.of(row.clone(), vocab).softmax(0);
                Tensor.TopK sorted = sortDescending(probs, row);
                int answerToken = rows[i][index];
                int rank = rankOf(sorted.indices(), answerToken);
                String tok = answerStrTokens.get(i).get(index - promptLen);
                atPosition.add(new Rank(tok, rank));
                if (i > 0) markup.append('\n');
                markup.append("[b]Rank: ").append(PyFormat.leftAlign(rank, 8))
                        .append(" Logit: ").append(PyFormat.fixed(row[answerToken], 5, 2))
                        .append(" Prob: ").append(PyFormat.percent(probs.item(answerToken), 6, 2))
                        .append(" Token: |").append(tok).append("|[/b]");
                if (i == 0) {
                    sortedRow0 = sorted;
                    logitsRow0 = row;
                }
            }
            ranks.add(atPosition);
            if (printDetails) {
                out.append(RichText.render(markup.toString(), consoleWidth));
                for (int i = 0; i < topK; i++) {
                    int id = sortedRow0.indices().item(i);
                    out.append("Top ").append(i).append("th token. Logit: ").append(PyFormat.fixed(logitsRow0[id], 5, 2))
                            .append(" Prob: ").append(PyFormat.percent(sortedRow0.values().item(i), 6, 2))
                            .append(" Token: |").append(model.toString(id)).append("|\n");
                }
            }
        }
        Object printed = multiple ? ranks.stream().map(TestPrompt::tuples).toList() : tuples(ranks.stream().map(List::getFirst).toList());
        out.append(RichText.render("[b]Ranks of the answer tokens:[/b] " + PyRepr.list((List<?>) printed), consoleWidth));
        return new Outcome(out.toString(), ranks);
    }

    /**
     * Probabilities largest first. Nearby logits often round to the same float32 probability; such ties go
     * to the larger logit (the larger true probability), then to the lower id. TransformerLens ranks by the
     * float32 probabilities with PyTorch's unstable CPU sort, so at an exact tie its order follows no rule,
     * and which of two logits a few ulps apart is larger depends on the order of float32 operations: at such
     * a tie jlens can differ from TransformerLens by one rank. (All 42 reference transcripts agree.)
     */
    static Tensor.TopK sortDescending(Tensor probs, float[] logits) {
        float[] p = probs.toArray();
        Integer[] order = new Integer[p.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> p[a] != p[b] ? Float.compare(p[b], p[a])
                : logits[a] != logits[b] ? Float.compare(logits[b], logits[a]) : Integer.compare(a, b));
        float[] values = new float[p.length];
        int[] ids = new int[p.length];
        for (int i = 0; i < p.length; i++) {
            ids[i] = order[i];
            values[i] = p[order[i]];
        }
        return new Tensor.TopK(Tensor.of(values, p.length), IntTensor.of(ids, p.length));
    }

    private static List<PyRepr.Tuple> tuples(List<Rank> ranks) {
        return ranks.stream().map(r -> new PyRepr.Tuple(r.token(), r.rank())).toList();
    }

    private static float[] logitsAt(Tensor logits, int b, int pos, int seq, int vocab) {
        int at = logits.offset() + (b * seq + pos) * vocab;
        return java.util.Arrays.copyOfRange(logits.data(), at, at + vocab);
    }

    private static int rankOf(IntTensor sortedIndices, int token) {
        for (int r = 0; r < sortedIndices.size(); r++) if (sortedIndices.item(r) == token) return r;
        throw new IllegalStateException("token " + token + " missing from the sorted vocabulary");
    }
}
