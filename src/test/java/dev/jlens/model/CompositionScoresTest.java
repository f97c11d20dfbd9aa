package dev.jlens.model;

import dev.jlens.Fixtures;
import dev.jlens.tensor.FactoredMatrix;
import dev.jlens.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static dev.jlens.testing.Matrices.assertClose;
import static dev.jlens.testing.Matrices.randn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

/** model.OV / model.QK on the fixture model, and composition scores against their definition. */
class CompositionScoresTest {
    private static final HookedTransformer MODEL = Fixtures.model("a");

    /** ‖M_l M_r‖_F / (‖M_l‖_F ‖M_r‖_F) on the full d_model x d_model products: what collapsing must preserve. */
    private static double explicitScore(Tensor left, Tensor right) {
        return left.matmul(right).norm() / ((double) left.norm() * right.norm());
    }

    @Test
    void ovAndQkAreTheHeadCircuits() {
        FactoredMatrix ov = MODEL.OV(), qk = MODEL.QK();
        assertThat(ov.shape()).containsExactly(4, 4, 64, 64);
        assertThat(ov.mdim()).isEqualTo(16);
        assertThat(ov).hasToString("FactoredMatrix: Shape(torch.Size([4, 4, 64, 64])), Hidden Dim(16)");
        Tensor wV = MODEL.W_V(), wO = MODEL.W_O(), wQ = MODEL.W_Q(), wK = MODEL.W_K();
        for (int[] lh : new int[][] {{0, 0}, {1, 3}, {3, 2}}) {
            int l = lh[0], h = lh[1];
            FactoredMatrix head = ov.get(l, h);
            assertThat(head.shape()).containsExactly(64, 64);
            assertClose("OV[" + l + "," + h + "]", head.AB(), wV.get(l, h).matmul(wO.get(l, h)), 1e-5);
            assertClose("QK[" + l + "," + h + "]", qk.get(l, h).AB(), wQ.get(l, h).matmul(wK.get(l, h).mT()), 1e-5);
        }
        assertThat(ov.get(2).shape()).containsExactly(4, 64, 64);
    }

    @Test
    void allCompositionScoresAreMaskedFractions() {
        for (String mode : new String[] {"Q", "K", "V"}) {
            Tensor scores = MODEL.allCompositionScores(mode);
            assertThat(scores.shape()).containsExactly(4, 4, 4, 4);
            for (int l1 = 0; l1 < 4; l1++) {
                for (int h1 = 0; h1 < 4; h1++) {
                    for (int l2 = 0; l2 < 4; l2++) {
                        for (int h2 = 0; h2 < 4; h2++) {
                            float s = scores.item(l1, h1, l2, h2);
                            if (l1 >= l2) assertThat(s).as("%s %d %d %d %d", mode, l1, h1, l2, h2).isZero();
                            else assertThat(s).as("%s %d %d %d %d", mode, l1, h1, l2, h2).isStrictlyBetween(0f, 1f);
                        }
                    }
                }
            }
        }
    }

    @Test
    void eachModeReadsWithTheRightCircuit() {
        Tensor wV = MODEL.W_V(), wO = MODEL.W_O(), wQ = MODEL.W_Q(), wK = MODEL.W_K();
        Tensor ov01 = wV.get(0, 1).matmul(wO.get(0, 1));
        // Q: the later query reads the output; K: the later key does (QKᵀ); V: the later value does
        Tensor qk = wQ.get(2, 3).matmul(wK.get(2, 3).mT()), ov = wV.get(2, 3).matmul(wO.get(2, 3));
        assertThat((double) MODEL.allCompositionScores("Q").item(0, 1, 2, 3)).isCloseTo(explicitScore(ov01, qk), offset(1e-5));
        assertThat((double) MODEL.allCompositionScores("K").item(0, 1, 2, 3)).isCloseTo(explicitScore(ov01, qk.mT()), offset(1e-5));
        assertThat((double) MODEL.allCompositionScores("V").item(0, 1, 2, 3)).isCloseTo(explicitScore(ov01, ov), offset(1e-5));
        assertThat(explicitScore(ov01, qk)).isNotCloseTo(explicitScore(ov01, qk.mT()), offset(1e-3));
        assertThatThrownBy(() -> MODEL.allCompositionScores("X")).hasMessageContaining("mode must be one of ['Q', 'K', 'V'] not X");
    }

    @Test
    void scoresBroadcastLeftLeadingDimsFirst() {
        Random r = new Random(5);
        FactoredMatrix left = new FactoredMatrix(randn(r, 2, 6, 3), randn(r, 2, 3, 6));
        FactoredMatrix right = new FactoredMatrix(randn(r, 3, 6, 2), randn(r, 3, 2, 5));
        Tensor scores = CompositionScores.compositionScores(left, right);
        assertThat(scores.shape()).containsExactly(2, 3);
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                float one = CompositionScores.compositionScore(left.get(i), right.get(j));
                assertThat(scores.item(i, j)).isCloseTo(one, offset(1e-6f));
                assertThat((double) one).isCloseTo(explicitScore(left.get(i).AB(), right.get(j).AB()), offset(1e-5));
            }
        }
        // rank one: x xᵀ = |v|² u uᵀ keeps all of both norms, the maximal score 1
        FactoredMatrix x = new FactoredMatrix(randn(r, 6, 1), randn(r, 1, 6));
        assertThat(CompositionScores.compositionScore(x, x.T())).isCloseTo(1f, offset(1e-5f));
        assertThatThrownBy(() -> CompositionScores.compositionScores(left, new FactoredMatrix(randn(r, 5, 2), randn(r, 2, 5)))).hasMessageContaining("left.rdim==right.ldim");
    }
}
