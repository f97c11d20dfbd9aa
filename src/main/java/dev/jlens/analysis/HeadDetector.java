package dev.jlens.analysis;

import dev.jlens.JlensException;
import dev.jlens.cache.ActivationCache;
import dev.jlens.hooks.ActName;
import dev.jlens.model.CacheOptions;
import dev.jlens.model.ForwardOptions;
import dev.jlens.model.HookedTransformer;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Shape;
import dev.jlens.tensor.Tensor;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * TransformerLens' {@code head_detector}: how closely each head's attention pattern on a prompt matches a
 * detection pattern, either a named one (previous-token, duplicate-token, induction head) built from the
 * prompt's tokens or a lower-triangular [P, P] tensor of one's own.
 *
 * <pre>{@code
 * Tensor scores = HeadDetector.detectHead(model, "one two three one two three", "induction_head");  // [L, H]
 * }</pre>
 *
 * Unlike TransformerLens, a cache passed in the options is never modified: TransformerLens zeroes the BOS
 * column and the diagonal of the cached patterns in place when {@code exclude_bos}/{@code
 * exclude_current_token} are used with "mul", so a second call on the same cache sees edited patterns;
 * here every score works on a copy. A detection pattern with values other than 0 and 1 is accepted with
 * "mul" without TransformerLens' logged warning.
 */
public final class HeadDetector {
    /** The named detection patterns. */
    public static final List<String> HEAD_NAMES = List.of("previous_token_head", "duplicate_token_head", "induction_head");

    /** How a head's pattern A is compared with the detection pattern D. */
    public enum ErrorMeasure {
        /** {@code Σ(A∘D) / ΣA}: the share of attention on the detected positions (TransformerLens' default). */
        MUL,
        /** {@code 1 - round(Σ|A - D| / P, 3)}: 1 for a perfect match, lower for any difference. */
        ABS;

        /** "mul" or "abs", as TransformerLens spells them. */
        public static ErrorMeasure of(String name) {
            return switch (name) {
                case "mul" -> MUL;
                case "abs" -> ABS;
                default -> throw new JlensException("Invalid error_measure=" + name + "; valid values are ('abs', 'mul')");
            };
        }
    }

    /** One attention head. */
    public record Head(int layer, int head) {}

    /**
     * The keyword arguments of {@code detect_head}: which heads to score (null: all; others get -1), a cache
     * from an earlier run of the same prompt (made with {@code removeBatchDim(true)}; null: run the model),
     * and the scoring options. Change one with the {@code with} methods.
     */
    public record Options(List<Head> heads, ActivationCache cache, boolean excludeBos, boolean excludeCurrentToken, ErrorMeasure errorMeasure) {
        public static final Options DEFAULT = new Options(null, null, false, false, ErrorMeasure.MUL);

        public Options {
            heads = heads == null ? null : List.copyOf(heads);
            if (errorMeasure == null) throw new IllegalArgumentException("errorMeasure must not be null");
        }

        public Options withHeads(List<Head> list) {
            return new Options(list, cache, excludeBos, excludeCurrentToken, errorMeasure);
        }

        /** TransformerLens' dict form: layer -> heads of that layer. */
        public Options withHeads(Map<Integer, List<Integer>> byLayer) {
            List<Head> list = new ArrayList<>();
            byLayer.forEach((layer, hs) -> hs.forEach(h -> list.add(new Head(layer, h))));
            return withHeads(list);
        }

        public Options withCache(ActivationCache c) {
            return new Options(heads, c, excludeBos, excludeCurrentToken, errorMeasure);
        }

        public Options withExcludeBos(boolean on) {
            return new Options(heads, cache, on, excludeCurrentToken, errorMeasure);
        }

        public Options withExcludeCurrentToken(boolean on) {
            return new Options(heads, cache, excludeBos, on, errorMeasure);
        }

        public Options withErrorMeasure(ErrorMeasure m) {
            return new Options(heads, cache, excludeBos, excludeCurrentToken, m);
        }
    }

    private HeadDetector() {}

    // ---- detect_head ---------------------------------------------------------------------------------

    /** Scores of every head [L, H] against a named pattern, with the default options. */
    public static Tensor detectHead(HookedTransformer model, String seq, String headName) {
        return detectHead(model, seq, headName, Options.DEFAULT);
    }

    /** Scores [L, H] against a named pattern built from {@code model.toTokens(seq)} (BOS included). */
    public static Tensor detectHead(HookedTransformer model, String seq, String headName, Options options) {
        IntTensor tokens = model.toTokens(seq);
        return detect(model, tokens, detectionPattern(headName, tokens), options);
    }

    /** Scores [L, H] against a lower-triangular [P, P] pattern, with the default options. */
    public static Tensor detectHead(HookedTransformer model, String seq, Tensor detectionPattern) {
        return detectHead(model, seq, detectionPattern, Options.DEFAULT);
    }

    /** Scores [L, H] against a lower-triangular [P, P] pattern, P the number of tokens with BOS. */
    public static Tensor detectHead(HookedTransformer model, String seq, Tensor detectionPattern, Options options) {
        return detect(model, model.toTokens(seq), detectionPattern, options);
    }

    /**
     * The mean over prompts of {@link #detectHead(HookedTransformer, String, String)}. TransformerLens scores
     * each string of a list with the default options whatever else was passed (heads, cache, exclusions and
     * error measure are silently dropped), so this form takes none.
     */
    public static Tensor detectHead(HookedTransformer model, List<String> seqs, String headName) {
        checkName(headName);
        if (seqs.isEmpty()) throw new JlensException("detect_head needs at least one string");
        Tensor sum = null;
        for (String seq : seqs) {
            Tensor s = detectHead(model, seq, headName);
            sum = sum == null ? s : sum.add(s);
        }
        return sum.div(seqs.size());
    }

    private static Tensor detect(HookedTransformer model, IntTensor tokens, Tensor detection, Options options) {
        int seqLen = tokens.shape(-1), layers = model.cfg().nLayers(), heads = model.cfg().nHeads();
        if (!(1 < seqLen && seqLen < model.cfg().nCtx())) {
            throw new JlensException("The sequence must be non-empty and must fit within the model's context window (it has "
                    + seqLen + " tokens with BOS; detect_head needs 2 to " + (model.cfg().nCtx() - 1) + ").");
        }
        if (!isLowerTriangular(detection) || detection.shape(0) != seqLen) {
            throw new JlensException("The detection pattern must be a lower triangular matrix of shape (sequence_length, sequence_length); sequence_length="
                    + seqLen + "; got detection pattern of shape " + Shape.str(detection.shape()));
        }
        ActivationCache cache = options.cache() != null ? options.cache() : patternsOf(model, tokens);
        List<Head> selected = options.heads() != null ? options.heads() : allHeads(layers, heads);
        Tensor scores = Tensor.full(-1f, layers, heads);
        for (Head h : selected) {
            if (h.layer() >= layers || h.layer() < -layers || h.head() >= heads || h.head() < -heads) {
                throw new JlensException("no head " + h + " in a model with " + layers + " layers of " + heads + " heads");
            }
            int layer = Math.floorMod(h.layer(), layers), head = Math.floorMod(h.head(), heads);  // Python's negative indices
            Tensor pattern = headPattern(cache, layer, head, seqLen);
            double score = computeHeadAttentionSimilarityScore(pattern, detection, options.excludeBos(), options.excludeCurrentToken(), options.errorMeasure());
            scores.put((float) score, layer, head);
        }
        return scores;
    }

    /** A forward pass that keeps only the attention patterns, batch dimension removed. */
    private static ActivationCache patternsOf(HookedTransformer model, IntTensor tokens) {
        String[] names = new String[model.cfg().nLayers()];
        for (int l = 0; l < names.length; l++) names[l] = ActName.get("pattern", l);
        CacheOptions only = CacheOptions.ALL.withNamesFilter(CacheOptions.names(names)).withRemoveBatchDim(true).withForward(ForwardOptions.NONE);
        return model.runWithCache(tokens, only).cache();
    }

    /** Head h's [P, P] pattern of layer l (a copy). */
    private static Tensor headPattern(ActivationCache cache, int layer, int head, int seqLen) {
        Tensor layerPatterns = cache.get("pattern", layer, "attn");
        if (layerPatterns.rank() != 3 || layerPatterns.shape(1) != seqLen || layerPatterns.shape(2) != seqLen) {
            throw new JlensException("the cache's attention pattern of layer " + layer + " has shape " + Shape.str(layerPatterns.shape())
                    + "; detect_head needs [heads, " + seqLen + ", " + seqLen + "] (runWithCache of the same prompt with removeBatchDim(true))");
        }
        return layerPatterns.get(head);
    }

    private static List<Head> allHeads(int layers, int heads) {
        List<Head> all = new ArrayList<>();
        for (int l = 0; l < layers; l++) for (int h = 0; h < heads; h++) all.add(new Head(l, h));
        return all;
    }

    // ---- the score -----------------------------------------------------------------------------------

    /**
     * TransformerLens' {@code compute_head_attention_similarity_score} for one head's attention pattern A
     * [P, P] and a detection pattern D [P, P]. "mul": {@code Σ(A∘D) / ΣA}, after zeroing A's BOS column
     * ({@code excludeBos}) and diagonal ({@code excludeCurrentToken}). "abs": {@code 1 - round(Σ|A - D| / P, 3)}
     * with those entries of |A - D| zeroed instead, rounded as Python's {@code round} rounds the float32
     * mean times P (half to even on the exact binary value). Neither input is modified.
     */
    public static double computeHeadAttentionSimilarityScore(Tensor attentionPattern, Tensor detectionPattern,
                                                             boolean excludeBos, boolean excludeCurrentToken, ErrorMeasure errorMeasure) {
        if (attentionPattern.rank() != 2 || attentionPattern.shape(0) != attentionPattern.shape(1)) {
            throw new JlensException("Attention pattern is not square; got shape " + Shape.str(attentionPattern.shape()));
        }
        int p = attentionPattern.shape(0);
        if (detectionPattern.rank() != 2 || detectionPattern.shape(0) != p || detectionPattern.shape(1) != p) {
            throw new JlensException("the detection pattern has shape " + Shape.str(detectionPattern.shape()) + "; the attention pattern [" + p + ", " + p + "]");
        }
        float[] a = attentionPattern.toArray(), d = detectionPattern.toArray();
        if (errorMeasure == ErrorMeasure.MUL) {
            double matched = 0, total = 0;
            for (int i = 0; i < p; i++) {
                for (int j = 0; j < p; j++) {
                    boolean excluded = (excludeBos && j == 0) || (excludeCurrentToken && i == j);
                    float x = excluded ? 0 : a[i * p + j];
                    matched += x * d[i * p + j];
                    total += x;
                }
            }
            return (float) (matched / total);
        }
        double sum = 0;
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < p; j++) {
                float diff = Math.abs(a[i * p + j] - d[i * p + j]);
                if (j > i && diff != 0) throw new JlensException("abs error measure: the attention and detection patterns differ above the diagonal at (" + i + ", " + j + ")");
                boolean excluded = (excludeBos && j == 0) || (excludeCurrentToken && i == j);
                if (!excluded) sum += diff;
            }
        }
        float meanTimesSize = (float) (sum / ((double) p * p)) * p;  // float32 as in torch: mean() * size
        return 1 - new BigDecimal(meanTimesSize).setScale(3, RoundingMode.HALF_EVEN).doubleValue();
    }

    // ---- detection patterns --------------------------------------------------------------------------

    /** The named pattern for these tokens ([P] or [1, P]). */
    public static Tensor detectionPattern(String headName, IntTensor tokens) {
        checkName(headName);
        return switch (headName) {
            case "previous_token_head" -> getPreviousTokenHeadDetectionPattern(tokens);
            case "duplicate_token_head" -> getDuplicateTokenHeadDetectionPattern(tokens);
            default -> getInductionHeadDetectionPattern(tokens);
        };
    }

    /** {@code D[i, i-1] = 1}: each position attends to the one before. */
    public static Tensor getPreviousTokenHeadDetectionPattern(IntTensor tokens) {
        int p = ids(tokens).length;
        Tensor d = Tensor.zeros(p, p);
        for (int i = 1; i < p; i++) d.put(1f, i, i - 1);
        return d;
    }

    /** {@code D[i, j] = 1} for j < i with {@code tokens[j] == tokens[i]}: earlier copies of the current token. */
    public static Tensor getDuplicateTokenHeadDetectionPattern(IntTensor tokens) {
        int[] t = ids(tokens);
        Tensor d = Tensor.zeros(t.length, t.length);
        for (int i = 0; i < t.length; i++) for (int j = 0; j < i; j++) if (t[j] == t[i]) d.put(1f, i, j);
        return d;
    }

    /**
     * The duplicate pattern shifted one column right, lower-triangular: {@code D[i, j] = 1} for 1 <= j <= i with
     * {@code tokens[j-1] == tokens[i]} (the token that followed an earlier copy of the current one; j = i
     * when the current token repeats the one before it).
     */
    public static Tensor getInductionHeadDetectionPattern(IntTensor tokens) {
        int[] t = ids(tokens);
        Tensor d = Tensor.zeros(t.length, t.length);
        for (int i = 0; i < t.length; i++) for (int j = 1; j <= i; j++) if (t[j - 1] == t[i]) d.put(1f, i, j);
        return d;
    }

    /** The names {@link #detectHead} accepts (TransformerLens' {@code get_supported_heads} prints them). */
    public static List<String> getSupportedHeads() {
        return HEAD_NAMES;
    }

    private static int[] ids(IntTensor tokens) {
        if (tokens.rank() == 1) return tokens.toArray();
        if (tokens.rank() == 2 && tokens.shape(0) == 1) return tokens.row(0);
        throw new JlensException("detection patterns need the tokens of one prompt ([pos] or [1, pos]), got shape " + Shape.str(tokens.shape()));
    }

    private static void checkName(String headName) {
        if (!HEAD_NAMES.contains(headName)) {
            throw new JlensException("detection_pattern must be a Tensor or one of head names: " + HEAD_NAMES + "; got " + headName);
        }
    }

    private static boolean isLowerTriangular(Tensor t) {
        if (t.rank() != 2 || t.shape(0) != t.shape(1)) return false;
        int p = t.shape(0);
        for (int i = 0; i < p; i++) for (int j = i + 1; j < p; j++) if (t.item(i, j) != 0) return false;
        return true;
    }
}
