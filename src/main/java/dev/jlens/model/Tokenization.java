package dev.jlens.model;

import dev.jlens.JlensException;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * TransformerLens' tokenization methods (to_tokens, to_str_tokens, to_single_token, to_string) over a GPT-2
 * tokenizer: BOS (50256) prepended by default, batches right-padded with 50256. Needs no weights, so
 * {@code jlens tokenize} can use it alone; {@link HookedTransformer} delegates to it.
 */
public final class Tokenization {
    private final Tokenizer tokenizer;
    private final boolean defaultPrependBos;

    public Tokenization(Tokenizer tokenizer, boolean defaultPrependBos) {
        this.tokenizer = tokenizer;
        this.defaultPrependBos = defaultPrependBos;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public boolean defaultPrependBos() {
        return defaultPrependBos;
    }

    public int[] encode(String text, boolean prependBos) {
        int[] ids = tokenizer.encode(text);
        if (!prependBos) return ids;
        int[] out = new int[ids.length + 1];
        out[0] = tokenizer.bosId();
        System.arraycopy(ids, 0, out, 1, ids.length);
        return out;
    }

    public IntTensor toTokens(String text, boolean prependBos) {
        return IntTensor.of(new int[][] {encode(text, prependBos)});
    }

    public IntTensor toTokens(List<String> texts, boolean prependBos, boolean leftPadding) {
        if (texts.isEmpty()) throw new JlensException("toTokens needs at least one text");
        List<int[]> rows = texts.stream().map(t -> encode(t, prependBos)).toList();
        int len = rows.stream().mapToInt(r -> r.length).max().orElse(0);
        int[][] out = new int[rows.size()][len];
        for (int i = 0; i < out.length; i++) {
            int[] r = rows.get(i);
            Arrays.fill(out[i], tokenizer.padId());
            System.arraycopy(r, 0, out[i], leftPadding ? len - r.length : 0, r.length);
        }
        return IntTensor.of(out);
    }

    /**
     * TransformerLens' {@code get_attention_mask}: 1 everywhere except padding (50256) at the padded end, i.e.
     * trailing 50256s with right padding, leading ones with left padding; with left padding and a BOS the
     * last of the leading 50256s is the BOS and stays attended.
     */
    public IntTensor attentionMask(IntTensor tokens, boolean leftPadding, boolean prependBos) {
        int[][] t = tokens.toMatrix();
        int pad = tokenizer.padId();
        int[][] mask = new int[t.length][];
        for (int b = 0; b < t.length; b++) {
            int n = t[b].length;
            mask[b] = new int[n];
            java.util.Arrays.fill(mask[b], 1);
            if (leftPadding) {
                int lead = 0;
                while (lead < n && t[b][lead] == pad) lead++;
                for (int j = 0; j < lead; j++) mask[b][j] = 0;
                if (prependBos && lead > 0) mask[b][lead - 1] = 1;
            } else {
                int last = n - 1;
                while (last >= 0 && t[b][last] == pad) last--;
                for (int j = last + 1; j < n; j++) mask[b][j] = 0;
            }
        }
        return IntTensor.of(mask);
    }

    public List<String> toStrTokens(String text, boolean prependBos) {
        return toStrTokens(encode(text, prependBos));
    }

    public List<String> toStrTokens(int... ids) {
        List<String> out = new ArrayList<>(ids.length);
        for (int id : ids) out.add(tokenizer.tokenString(id));
        return out;
    }

    public int toSingleToken(String text) {
        int[] ids = tokenizer.encode(text);
        if (ids.length != 1) throw new JlensException("Input string: " + text + " is not a single token!");
        return ids[0];
    }

    public String toString(int... ids) {
        return tokenizer.decode(ids);
    }
}
