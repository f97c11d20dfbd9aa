package dev.jlens.model;

import dev.jlens.JlensException;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * TransformerLens' {@code generate}: the prompt runs once, then one token at a time with the keys and
 * values of earlier positions cached; the attention mask is TransformerLens' (trailing 50256 padding of the
 * prompt masked, generated tokens attended); a finished sequence keeps receiving the end-of-text token.
 */
final class Generation {
    private Generation() {}

    static String generateText(HookedTransformer model, String prompt, GenerateOptions o) {
        boolean bos = o.prependBos() == null ? model.cfg().defaultPrependBos() : o.prependBos();
        IntTensor out = generateTokens(model, model.toTokens(prompt, bos), o, null);
        return model.tokenizer().decodeSkippingSpecial(out.row(0));
    }

    static IntTensor generateTokens(HookedTransformer model, IntTensor tokens, GenerateOptions o, IntTensor mask) {
        if (tokens.rank() == 1) tokens = tokens.reshape(1, tokens.shape(0));
        int batch = tokens.shape(0), len = tokens.shape(1), eos = model.tokenizer().eosId();
        if (len == 0) throw new JlensException("the prompt has no tokens; an empty prompt needs BOS prepended to have one");
        if ((long) len + o.maxNewTokens() > model.cfg().nCtx()) {
            throw new JlensException("prompt (" + len + " tokens) plus " + o.maxNewTokens() + " new tokens exceeds the model's context of "
                    + model.cfg().nCtx() + " tokens (n_ctx)");
        }
        int total = len + o.maxNewTokens();
        int[][] seq = new int[batch][total];
        int[][] attend = new int[batch][total];
        int[][] prompt = tokens.toMatrix();
        int[][] initialMask = (mask == null ? model.tokenization().attentionMask(tokens, false, false) : mask).toMatrix();
        for (int b = 0; b < batch; b++) {
            System.arraycopy(prompt[b], 0, seq[b], 0, len);
            System.arraycopy(initialMask[b], 0, attend[b], 0, len);
        }
        SplittableRandom rng = new SplittableRandom(o.seed());
        boolean[] finished = new boolean[batch];
        KvCache kv = o.useKvCache() ? new KvCache(model.cfg().nLayers(), batch, model.cfg().kvWidth(), total) : null;
        int n = len;
        for (int step = 0; step < o.maxNewTokens(); step++) {
            int from = kv == null || step == 0 ? 0 : n - 1;
            IntTensor input = IntTensor.of(slice(seq, from, n));
            IntTensor stepMask = IntTensor.of(slice(attend, 0, n));
            ForwardOptions fo = ForwardOptions.LOGITS.withAttentionMask(stepMask).withKvCache(kv);
            Tensor logits = model.run(input, fo).logits();
            int vocab = logits.shape(2), lastRow = logits.shape(1) - 1;
            boolean allDone = true;
            for (int b = 0; b < batch; b++) {
                float[] last = Arrays.copyOfRange(logits.data(), logits.offset() + (b * logits.shape(1) + lastRow) * vocab,
                        logits.offset() + (b * logits.shape(1) + lastRow + 1) * vocab);
                int next = o.doSample() && o.temperature() != 0 ? sample(last, seq[b], n, o, rng) : argmax(last);
                if (o.stopAtEos() && finished[b]) next = eos;
                if (o.stopAtEos() && next == eos) finished[b] = true;
                seq[b][n] = next;
                attend[b][n] = 1;
                allDone &= finished[b];
            }
            n++;
            if (o.stopAtEos() && allDone) break;
        }
        return IntTensor.of(slice(seq, 0, n));
    }

    private static int[][] slice(int[][] rows, int from, int to) {
        int[][] out = new int[rows.length][];
        for (int b = 0; b < rows.length; b++) out[b] = Arrays.copyOfRange(rows[b], from, to);
        return out;
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    /** TransformerLens' sample_logits: temperature, frequency penalty, then top-k or top-p, then a categorical draw. */
    static int sample(float[] logits, int[] seq, int n, GenerateOptions o, SplittableRandom rng) {
        float[] l = logits.clone();
        for (int i = 0; i < l.length; i++) l[i] = (float) (l[i] / o.temperature());
        if (o.freqPenalty() > 0) {
            int[] count = new int[l.length];
            for (int i = 0; i < n; i++) if (seq[i] >= 0 && seq[i] < l.length) count[seq[i]]++;
            for (int i = 0; i < l.length; i++) l[i] -= (float) (o.freqPenalty() * count[i]);
        }
        if (o.topK() != null) {
            int k = Math.min(o.topK(), l.length);
            float kth = Tensor.of(l.clone(), l.length).topk(k).values().item(k - 1);
            for (int i = 0; i < l.length; i++) if (l[i] < kth) l[i] = Float.NEGATIVE_INFINITY;
        } else if (o.topP() != null) {
            Tensor.TopK sorted = Tensor.of(l.clone(), l.length).sort(true);
            float[] probs = sorted.values().softmax(0).toArray();
            double cum = 0;
            boolean[] remove = new boolean[l.length];
            for (int j = 0; j < l.length; j++) {
                // remove a token once the tokens before it already reach top_p (the first is always kept)
                if (j > 0 && cum > o.topP()) remove[sorted.indices().item(j)] = true;
                cum += probs[j];
            }
            for (int i = 0; i < l.length; i++) if (remove[i]) l[i] = Float.NEGATIVE_INFINITY;
        }
        float[] p = Tensor.of(l, l.length).softmax(0).toArray();
        double u = rng.nextDouble(), acc = 0;
        for (int i = 0; i < p.length; i++) {
            acc += p[i];
            if (u < acc) return i;
        }
        for (int i = p.length - 1; i >= 0; i--) if (p[i] > 0) return i;
        return argmax(logits);
    }
}
