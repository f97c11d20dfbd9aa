package dev.jlens.tensor;

import dev.jlens.testing.RandomCases;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The attention kernels against the plain loops they must equal bit for bit: each score a chain of fused
 * multiply-adds over d_head in order, each z element a chain over keys in order. The blocking of the vector
 * code must not change a single bit (the patching engine relies on the forward pass's exact values).
 */
class AttentionKernelsTest {
    @Test
    void scoresAreTheFusedDotProductsInOrder() {
        RandomCases.run(21, 200, rnd -> {
            int e = 1 + rnd.nextInt(80), keyLen = 1 + rnd.nextInt(90), firstPos = rnd.nextInt(keyLen), queries = keyLen - firstPos;
            float scale = 1 + rnd.nextFloat() * 8;
            float[] q = random(rnd, queries * e), k = random(rnd, keyLen * e), scores = new float[queries * keyLen];
            Kernels.attentionScores(q, 0, e, queries, firstPos, k, 0, e, keyLen, e, scale, null, 0, scores, 0, keyLen);
            for (int t = 0; t < queries; t++) {
                for (int j = 0; j < keyLen; j++) {
                    float expected = Float.NEGATIVE_INFINITY;
                    if (j <= firstPos + t) {
                        float s = 0f;
                        for (int x = 0; x < e; x++) s = Math.fma(k[j * e + x], q[t * e + x], s);
                        expected = s / scale;
                    }
                    assertThat(scores[t * keyLen + j]).as("e=%d keyLen=%d t=%d j=%d", e, keyLen, t, j).isEqualTo(expected);
                }
            }
        });
    }

    @Test
    void valuesAreTheWeightedSumsInKeyOrder() {
        RandomCases.run(22, 200, rnd -> {
            int e = 1 + rnd.nextInt(140), keyLen = 1 + rnd.nextInt(50), queries = 1 + rnd.nextInt(5);
            float[] pattern = random(rnd, queries * keyLen), v = random(rnd, keyLen * e), z = random(rnd, queries * e);
            for (int i = 0; i < pattern.length; i++) if (rnd.nextInt(4) == 0) pattern[i] = 0f;
            float[] expected = z.clone();
            int vectorPart = Kernels.S.loopBound(e);
            for (int t = 0; t < queries; t++) {
                for (int j = 0; j < keyLen; j++) {
                    float p = pattern[t * keyLen + j];
                    if (p == 0f) continue;
                    for (int x = 0; x < e; x++) {
                        float acc = expected[t * e + x], vx = v[j * e + x];
                        // axpy's contract: fused in the vector part, multiply-then-add in its scalar tail
                        expected[t * e + x] = x < vectorPart ? Math.fma(vx, p, acc) : acc + p * vx;
                    }
                }
            }
            Kernels.attentionValues(pattern, 0, keyLen, queries, keyLen, v, 0, e, e, z, 0, e);
            assertThat(z).as("e=%d keyLen=%d", e, keyLen).containsExactly(expected);
        });
    }

    private static float[] random(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) rnd.nextGaussian();
        return x;
    }
}
