package dev.jlens.analysis;

import dev.jlens.Fixtures;
import dev.jlens.JlensException;
import dev.jlens.analysis.HeadDetector.ErrorMeasure;
import dev.jlens.analysis.HeadDetector.Head;
import dev.jlens.analysis.HeadDetector.Options;
import dev.jlens.cache.ActivationCache;
import dev.jlens.model.CacheOptions;
import dev.jlens.model.HookedTransformer;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.jlens.analysis.HeadDetector.computeHeadAttentionSimilarityScore;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

/** detect_head: the detection patterns, the two error measures on hand-built attention, and the model path. */
class HeadDetectorTest {
    private static final HookedTransformer MODEL = Fixtures.model("a");
    private static final String PROMPT = "one two three four one two three four";

    private static Tensor matrix(int[][] rows) {
        float[][] f = new float[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            f[i] = new float[rows[i].length];
            for (int j = 0; j < rows[i].length; j++) f[i][j] = rows[i][j];
        }
        return Tensor.of(f);
    }

    /** A head that always attends to the previous token (position 0 to itself, as softmax must). */
    private static Tensor previousTokenAttention(int p) {
        Tensor a = Tensor.zeros(p, p);
        a.put(1f, 0, 0);
        for (int i = 1; i < p; i++) a.put(1f, i, i - 1);
        return a;
    }

    /** Half on the current token, half on the previous one. */
    private static Tensor halfCurrentHalfPrevious(int p) {
        Tensor a = Tensor.zeros(p, p);
        a.put(1f, 0, 0);
        for (int i = 1; i < p; i++) {
            a.put(0.5f, i, i);
            a.put(0.5f, i, i - 1);
        }
        return a;
    }

    private static double score(Tensor a, Tensor d, boolean excludeBos, boolean excludeCurrent, ErrorMeasure m) {
        return computeHeadAttentionSimilarityScore(a, d, excludeBos, excludeCurrent, m);
    }

    // ---- detection patterns --------------------------------------------------------------------------

    @Test
    void patternsOfARepeatedSequence() {
        IntTensor tokens = IntTensor.of(new int[] {50256, 5, 6, 7, 5, 6, 7}, 1, 7);
        assertThat(HeadDetector.getPreviousTokenHeadDetectionPattern(tokens).toMatrix()).isDeepEqualTo(matrix(new int[][] {
                {0, 0, 0, 0, 0, 0, 0},
                {1, 0, 0, 0, 0, 0, 0},
                {0, 1, 0, 0, 0, 0, 0},
                {0, 0, 1, 0, 0, 0, 0},
                {0, 0, 0, 1, 0, 0, 0},
                {0, 0, 0, 0, 1, 0, 0},
                {0, 0, 0, 0, 0, 1, 0}}).toMatrix());
        assertThat(HeadDetector.getDuplicateTokenHeadDetectionPattern(tokens).toMatrix()).isDeepEqualTo(matrix(new int[][] {
                {0, 0, 0, 0, 0, 0, 0},
                {0, 0, 0, 0, 0, 0, 0},
                {0, 0, 0, 0, 0, 0, 0},
                {0, 0, 0, 0, 0, 0, 0},
                {0, 1, 0, 0, 0, 0, 0},
                {0, 0, 1, 0, 0, 0, 0},
                {0, 0, 0, 1, 0, 0, 0}}).toMatrix());
        assertThat(HeadDetector.getInductionHeadDetectionPattern(tokens).toMatrix()).isDeepEqualTo(matrix(new int[][] {
                {0, 0, 0, 0, 0, 0, 0},
                {0, 0, 0, 0, 0, 0, 0},
                {0, 0, 0, 0, 0, 0, 0},
                {0, 0, 0, 0, 0, 0, 0},
                {0, 0, 1, 0, 0, 0, 0},
                {0, 0, 0, 1, 0, 0, 0},
                {0, 0, 0, 0, 1, 0, 0}}).toMatrix());
    }

    @Test
    void inductionPatternKeepsTheDiagonalAndDropsTheWrappedColumn() {
        // tokens 9 9: the induction target of the second 9 is itself (the token after the first 9)
        IntTensor tokens = IntTensor.of(new int[] {9, 9, 9}, 3);
        assertThat(HeadDetector.getInductionHeadDetectionPattern(tokens).toMatrix()).isDeepEqualTo(matrix(new int[][] {
                {0, 0, 0},
                {0, 1, 0},
                {0, 1, 1}}).toMatrix());
        assertThat(HeadDetector.getDuplicateTokenHeadDetectionPattern(tokens).toMatrix()).isDeepEqualTo(matrix(new int[][] {
                {0, 0, 0},
                {1, 0, 0},
                {1, 1, 0}}).toMatrix());
    }

    // ---- scores --------------------------------------------------------------------------------------

    @Test
    void aPerfectPreviousTokenHeadScoresOne() {
        int p = 16;
        Tensor a = previousTokenAttention(p), d = HeadDetector.getPreviousTokenHeadDetectionPattern(IntTensor.of(new int[p], p));
        // the BOS row must attend somewhere: itself, which the detection pattern does not expect
        assertThat(score(a, d, false, false, ErrorMeasure.MUL)).isCloseTo((p - 1) / (double) p, offset(1e-7));
        assertThat(score(a, d, true, false, ErrorMeasure.MUL)).isEqualTo(1.0);
        assertThat(score(a, d, false, true, ErrorMeasure.ABS)).isEqualTo(1.0);
        assertThat(score(a, d, true, false, ErrorMeasure.ABS)).isEqualTo(1.0);
        // Σ|A-D|/P = 1/16 = 0.0625 exactly: Python rounds that tie to even, 0.062
        assertThat(score(a, d, false, false, ErrorMeasure.ABS)).isEqualTo(1 - 0.062);
        assertThat(score(previousTokenAttention(3), HeadDetector.getPreviousTokenHeadDetectionPattern(IntTensor.of(new int[3], 3)), false, false, ErrorMeasure.ABS))
                .isEqualTo(1 - 0.333);
    }

    @Test
    void uniformAttentionScoresBelowOne() {
        int p = 8;
        Tensor uniform = Tensor.zeros(p, p);
        for (int i = 0; i < p; i++) for (int j = 0; j <= i; j++) uniform.put(1f / (i + 1), i, j);
        Tensor d = HeadDetector.getPreviousTokenHeadDetectionPattern(IntTensor.of(new int[p], p));
        double expectedMul = 0;
        for (int i = 1; i < p; i++) expectedMul += 1.0 / (i + 1);
        assertThat(score(uniform, d, false, false, ErrorMeasure.MUL)).isCloseTo(expectedMul / p, offset(1e-6));
        assertThat(score(uniform, d, false, false, ErrorMeasure.ABS)).isLessThan(0.5);
        assertThat(score(uniform, d, true, true, ErrorMeasure.MUL)).isLessThan(1.0);
    }

    @Test
    void exclusionsRemoveTheBosColumnAndTheDiagonal() {
        int p = 10;
        Tensor a = halfCurrentHalfPrevious(p), d = HeadDetector.getPreviousTokenHeadDetectionPattern(IntTensor.of(new int[p], p));
        Tensor before = a.copy();
        // mul: matched 0.5 (p - 1) of total p; without the diagonal, of 0.5 (p - 1); without column 0, rows 0 and 1 lose 1.5
        assertThat(score(a, d, false, false, ErrorMeasure.MUL)).isCloseTo(0.5 * (p - 1) / p, offset(1e-6));
        assertThat(score(a, d, false, true, ErrorMeasure.MUL)).isCloseTo(1.0, offset(1e-6));
        assertThat(score(a, d, true, false, ErrorMeasure.MUL)).isCloseTo(0.5 * (p - 2) / (p - 1.5), offset(1e-6));
        // abs: |A-D| is 1 at (0,0) and 0.5 twice in every later row: Σ = p, score 0; without the diagonal Σ = 0.5 (p - 1)
        assertThat(score(a, d, false, false, ErrorMeasure.ABS)).isEqualTo(0.0);
        assertThat(score(a, d, false, true, ErrorMeasure.ABS)).isEqualTo(1 - 0.45);
        assertThat(score(a, d, true, false, ErrorMeasure.ABS)).isEqualTo(1 - 0.85);
        assertThat(a.toArray()).as("the pattern is not modified").containsExactly(before.toArray());
    }

    @Test
    void absRejectsPatternsThatDifferAboveTheDiagonal() {
        Tensor a = Tensor.full(0.5f, 2, 2), d = Tensor.zeros(2, 2);
        assertThatThrownBy(() -> score(a, d, false, false, ErrorMeasure.ABS)).isInstanceOf(JlensException.class).hasMessageContaining("above the diagonal");
        assertThat(score(a, d, false, false, ErrorMeasure.MUL)).isZero();
        assertThatThrownBy(() -> score(Tensor.zeros(2, 3), d, false, false, ErrorMeasure.MUL)).isInstanceOf(JlensException.class).hasMessageContaining("not square");
        assertThat(ErrorMeasure.of("abs")).isEqualTo(ErrorMeasure.ABS);
        assertThatThrownBy(() -> ErrorMeasure.of("sq")).isInstanceOf(JlensException.class);
    }

    // ---- the model path ------------------------------------------------------------------------------

    @Test
    void everyHeadIsScoredInTheUnitInterval() {
        for (String name : HeadDetector.getSupportedHeads()) {
            for (ErrorMeasure m : ErrorMeasure.values()) {
                Tensor scores = HeadDetector.detectHead(MODEL, PROMPT, name, Options.DEFAULT.withErrorMeasure(m));
                assertThat(scores.shape()).containsExactly(4, 4);
                for (float s : scores.toArray()) assertThat(s).as("%s %s", name, m).isBetween(m == ErrorMeasure.ABS ? -1f : 0f, 1f);
            }
        }
    }

    @Test
    void scoresAreThoseOfTheCachedPatterns() {
        IntTensor tokens = MODEL.toTokens(PROMPT);
        ActivationCache cache = MODEL.runWithCache(tokens, CacheOptions.ALL.withRemoveBatchDim(true)).cache();
        Tensor pattern21 = cache.get("pattern", 2).get(1), copy = pattern21.copy();
        Tensor d = HeadDetector.getInductionHeadDetectionPattern(tokens);
        Options opts = Options.DEFAULT.withExcludeBos(true).withExcludeCurrentToken(true);
        Tensor fresh = HeadDetector.detectHead(MODEL, PROMPT, "induction_head", opts);
        Tensor cached = HeadDetector.detectHead(MODEL, PROMPT, "induction_head", opts.withCache(cache));
        assertThat(cached.toArray()).containsExactly(fresh.toArray());
        assertThat((double) fresh.item(2, 1)).isEqualTo((double) (float) score(pattern21, d, true, true, ErrorMeasure.MUL));
        assertThat(cache.get("pattern", 2).get(1).toArray()).as("the cache is not modified").containsExactly(copy.toArray());
        // so a later call on the same cache without exclusions sees the original patterns (in TransformerLens it would not)
        Tensor plain = HeadDetector.detectHead(MODEL, PROMPT, "induction_head", Options.DEFAULT.withCache(cache));
        assertThat((double) plain.item(2, 1)).isEqualTo((double) (float) score(pattern21, d, false, false, ErrorMeasure.MUL));
        assertThat(plain.toArray()).containsExactly(HeadDetector.detectHead(MODEL, PROMPT, "induction_head").toArray());
        // a custom pattern equal to the named one gives the same scores
        assertThat(HeadDetector.detectHead(MODEL, PROMPT, d, opts).toArray()).containsExactly(fresh.toArray());
    }

    @Test
    void headsNotAskedForAreMinusOne() {
        Tensor some = HeadDetector.detectHead(MODEL, PROMPT, "previous_token_head", Options.DEFAULT.withHeads(List.of(new Head(1, 2), new Head(-1, 0))));
        Tensor all = HeadDetector.detectHead(MODEL, PROMPT, "previous_token_head");
        for (int l = 0; l < 4; l++) {
            for (int h = 0; h < 4; h++) {
                boolean asked = (l == 1 && h == 2) || (l == 3 && h == 0);
                assertThat(some.item(l, h)).as("L%dH%d", l, h).isEqualTo(asked ? all.item(l, h) : -1f);
            }
        }
        Tensor byLayer = HeadDetector.detectHead(MODEL, PROMPT, "previous_token_head", Options.DEFAULT.withHeads(Map.of(1, List.of(2), 3, List.of(0))));
        assertThat(byLayer.toArray()).containsExactly(some.toArray());
        assertThatThrownBy(() -> HeadDetector.detectHead(MODEL, PROMPT, "previous_token_head", Options.DEFAULT.withHeads(List.of(new Head(4, 0)))))
                .isInstanceOf(JlensException.class);
    }

    @Test
    void aListOfPromptsAveragesTheirDefaultScores() {
        List<String> prompts = List.of(PROMPT, "a b a b");
        Tensor mean = HeadDetector.detectHead(MODEL, prompts, "duplicate_token_head");
        Tensor first = HeadDetector.detectHead(MODEL, prompts.get(0), "duplicate_token_head"), second = HeadDetector.detectHead(MODEL, prompts.get(1), "duplicate_token_head");
        assertThat(mean.toArray()).containsExactly(first.add(second).div(2).toArray());
        assertThatThrownBy(() -> HeadDetector.detectHead(MODEL, List.of(), "duplicate_token_head")).isInstanceOf(JlensException.class);
    }

    @Test
    void badInputsRaiseJlensException() {
        assertThatThrownBy(() -> HeadDetector.detectHead(MODEL, "", "previous_token_head"))
                .isInstanceOf(JlensException.class).hasMessageContaining("must fit within the model's context window");
        String tooLong = " a".repeat(MODEL.cfg().nCtx());
        assertThatThrownBy(() -> HeadDetector.detectHead(MODEL, tooLong, "previous_token_head"))
                .isInstanceOf(JlensException.class).hasMessageContaining("context window");
        assertThatThrownBy(() -> HeadDetector.detectHead(MODEL, PROMPT, "copy_head")).isInstanceOf(JlensException.class).hasMessageContaining("head names");
        int p = MODEL.toTokens(PROMPT).shape(-1);
        assertThatThrownBy(() -> HeadDetector.detectHead(MODEL, PROMPT, Tensor.full(1f, p, p), Options.DEFAULT))
                .isInstanceOf(JlensException.class).hasMessageContaining("lower triangular");
        assertThatThrownBy(() -> HeadDetector.detectHead(MODEL, PROMPT, Tensor.zeros(p + 1, p + 1), Options.DEFAULT))
                .isInstanceOf(JlensException.class).hasMessageContaining("sequence_length=" + p);
    }
}
