package dev.jlens.tensor;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The tensor API a researcher writes analyses with: indexing, broadcasting, reductions, products. */
class TensorTest {
    private static Tensor range(int... shape) {
        Tensor t = Tensor.arange(Shape.numel(shape));
        return t.reshape(shape);
    }

    @Test
    void indexingFollowsPython() {
        Tensor t = range(2, 3, 4);
        assertThat(t.get(0, -1).toArray()).containsExactly(8, 9, 10, 11);
        assertThat(t.get("..., -1").shape()).containsExactly(2, 3);
        assertThat(t.get("..., -1").toArray()).containsExactly(3, 7, 11, 15, 19, 23);
        assertThat(t.get(":, 1:3, ::2").toArray()).containsExactly(4, 6, 8, 10, 16, 18, 20, 22);
        assertThat(t.get(":, [2, 0], 1").toArray()).containsExactly(9, 1, 21, 13);
        assertThat(t.get("1, ::-1, 0").toArray()).containsExactly(20, 16, 12);
        assertThat(t.get(1, Index.range(null, -1)).shape()).containsExactly(2, 4);
        assertThatThrownBy(() -> t.get(2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> t.get("0, 0, 0, 0")).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void setWritesInPlaceWithBroadcasting() {
        Tensor t = Tensor.zeros(2, 3);
        t.set(":, 1", Tensor.of(new float[] {5, 6}, 2));
        t.set("0", 1f);
        assertThat(t.toArray()).containsExactly(1, 1, 1, 0, 6, 0);
        Tensor src = range(2, 3);
        t.set(new Object[] {":", 2}, src.get(":", 2));
        assertThat(t.toArray()).containsExactly(1, 1, 2, 0, 6, 5);
    }

    @Test
    void elementwiseBroadcasts() {
        Tensor a = range(2, 3), b = Tensor.of(new float[] {10, 20, 30}, 3), col = Tensor.of(new float[] {1, 2}, 2, 1);
        assertThat(a.add(b).toArray()).containsExactly(10, 21, 32, 13, 24, 35);
        assertThat(a.mul(col).toArray()).containsExactly(0, 1, 2, 6, 8, 10);
        assertThatThrownBy(() -> a.add(Tensor.zeros(2))).hasMessageContaining("broadcast");
    }

    @Test
    void reductionsAlongADimension() {
        Tensor t = range(2, 3);
        assertThat(t.sum(0).toArray()).containsExactly(3, 5, 7);
        assertThat(t.mean(-1).toArray()).containsExactly(1, 4);
        assertThat(t.sum(1, true).shape()).containsExactly(2, 1);
        assertThat(t.max(1).toArray()).containsExactly(2, 5);
        assertThat(t.argmax(1).toArray()).containsExactly(2, 2);
        assertThat(t.sum()).isEqualTo(15f);
    }

    @Test
    void softmaxRowsSumToOneAndLogSoftmaxIsItsLog() {
        Tensor t = Tensor.of(new float[] {1, 2, 3, -1, 0, 1}, 2, 3);
        Tensor s = t.softmax(-1), ls = t.logSoftmax(-1);
        assertThat(s.sum(-1).toArray()).containsExactly(new float[] {1f, 1f}, org.assertj.core.data.Offset.offset(1e-6f));
        assertThat(ls.exp().allClose(s, 1e-6, 1e-6)).isTrue();
    }

    @Test
    void topkAndStableSort() {
        Tensor t = Tensor.of(new float[] {3, 1, 3, 2}, 4);
        Tensor.TopK top = t.topk(3);
        assertThat(top.values().toArray()).containsExactly(3, 3, 2);
        assertThat(top.indices().toArray()).containsExactly(0, 2, 3);
        assertThat(t.bottomk(1).indices().toArray()).containsExactly(1);
    }

    @Test
    void matmulCoversVectorsMatricesAndBatches() {
        Tensor a = range(2, 3), b = range(3, 2);
        assertThat(a.matmul(b).toArray()).containsExactly(10, 13, 28, 40);
        assertThat(range(3).matmul(b).toArray()).containsExactly(10, 13);
        assertThat(a.matmul(range(3)).toArray()).containsExactly(5, 14);
        Tensor batched = range(4, 2, 3).matmul(b);
        assertThat(batched.shape()).containsExactly(4, 2, 2);
        assertThat(batched.get(3).toArray()).containsExactly(range(4, 2, 3).get(3).matmul(b).toArray());
    }

    @Test
    void einsumWithLettersAndWithNamedAxes() {
        Tensor a = range(2, 3), b = range(3, 4);
        assertThat(Tensor.einsum("ij,jk->ik", a, b).toArray()).containsExactly(a.matmul(b).toArray());
        Tensor stack = range(5, 2, 3), dir = range(2, 3);
        Tensor named = Tensor.einsum("... batch d_model, batch d_model -> ...", stack, dir);
        assertThat(named.shape()).containsExactly(5);
        assertThat(named.item(4)).isEqualTo(stack.get(4).mul(dir).sum());
        assertThat(Tensor.einsum("ii->", range(3, 3)).item()).isEqualTo(12f);
        assertThat(Tensor.einsum("ij->ji", a).toArray()).containsExactly(a.transpose(0, 1).toArray());
    }

    @Test
    void layoutOperations() {
        Tensor t = range(2, 3, 4);
        assertThat(t.permute(2, 0, 1).shape()).containsExactly(4, 2, 3);
        assertThat(t.permute(2, 0, 1).item(3, 1, 2)).isEqualTo(t.item(1, 2, 3));
        assertThat(Tensor.stack(List.of(range(2), range(2)), 1).toArray()).containsExactly(0, 0, 1, 1);
        assertThat(Tensor.concat(List.of(range(2, 2), range(2, 1)), 1).toArray()).containsExactly(0, 1, 0, 2, 3, 1);
        assertThat(t.reshape(6, -1).shape()).containsExactly(6, 4);
        assertThat(t.unsqueeze(0).squeeze(0).shape()).containsExactly(2, 3, 4);
    }

    @Test
    void rearrangeSplitsMergesAndReorders() {
        Tensor perHead = range(12);
        Tensor grid = perHead.rearrange("(layer head) -> layer head", java.util.Map.of("layer", 3));
        assertThat(grid.shape()).containsExactly(3, 4);
        assertThat(grid.item(2, 1)).isEqualTo(9f);
        Tensor t = range(2, 3, 4);
        assertThat(t.rearrange("b h q -> q b h").toArray()).containsExactly(t.permute(2, 0, 1).toArray());
        assertThat(t.rearrange("b h q -> b (h q)").shape()).containsExactly(2, 12);
        assertThatThrownBy(() -> t.rearrange("b h -> h b")).hasMessageContaining("rank");
        assertThatThrownBy(() -> perHead.rearrange("(a b) -> a b")).hasMessageContaining("give the size");
    }

    @Test
    void gatherPicksAlongADimension() {
        Tensor logits = range(2, 5);
        IntTensor answers = IntTensor.of(new int[][] {{4, 1}, {0, 2}});
        assertThat(logits.gather(-1, answers).toArray()).containsExactly(4, 1, 5, 7);
    }
}
