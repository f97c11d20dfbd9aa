package dev.jlens.tensor;

import dev.jlens.Fixtures;
import org.junit.jupiter.api.Test;

import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An int tensor prints as PyTorch prints an int64 tensor. The expected strings follow PyTorch's {@code _tensor_str}
 * rules worked by hand: values right-aligned to the widest shown, vectors wrapped to 80 columns, rows indented under
 * the first, edges only above 1000 values.
 */
class IntTensorPrintTest {
    @Test
    void valuesAreRightAlignedToTheWidest() {
        assertThat(IntTensor.of(new int[][] {{0, 1, 10, 50256, -3}})).hasToString("tensor([[    0,     1,    10, 50256,    -3]])");
    }

    @Test
    void scalarAndRows() {
        assertThat(IntTensor.scalar(7)).hasToString("tensor(7)");
        assertThat(IntTensor.of(new int[][] {{1, 2}, {3, 4}})).hasToString("tensor([[1, 2],\n        [3, 4]])");
        assertThat(IntTensor.of(IntStream.range(0, 8).toArray(), 2, 2, 2))
                .hasToString("tensor([[[0, 1],\n         [2, 3]],\n\n        [[4, 5],\n         [6, 7]]])");
    }

    @Test
    void longVectorsWrapAtEightyColumns() {
        // width 2 plus ", " is 4 columns: (80 - 7) / 4 = 18 values a line
        assertThat(IntTensor.of(IntStream.range(0, 30).toArray(), 30)).hasToString(
                "tensor([ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15, 16, 17,\n"
                        + "        18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29])");
    }

    @Test
    void moreThanAThousandValuesShowTheirEdges() {
        assertThat(IntTensor.of(IntStream.range(0, 2000).toArray(), 2000)).hasToString("tensor([   0,    1,    2,  ..., 1997, 1998, 1999])");
        assertThat(IntTensor.of(IntStream.range(0, 1010).toArray(), 101, 10)).hasToString(
                "tensor([[   0,    1,    2,  ...,    7,    8,    9],\n"
                        + "        [  10,   11,   12,  ...,   17,   18,   19],\n"
                        + "        [  20,   21,   22,  ...,   27,   28,   29],\n"
                        + "        ...,\n"
                        + "        [ 980,  981,  982,  ...,  987,  988,  989],\n"
                        + "        [ 990,  991,  992,  ...,  997,  998,  999],\n"
                        + "        [1000, 1001, 1002,  ..., 1007, 1008, 1009]])");
    }

    @Test
    void emptyTensorsNameTheirDtype() {
        assertThat(IntTensor.of(new int[0], 0)).hasToString("tensor([], dtype=torch.int64)");
        assertThat(IntTensor.of(new int[0], 1, 0)).hasToString("tensor([], size=(1, 0), dtype=torch.int64)");
    }

    @Test
    void tokensOfAPromptPrintAsTransformerLensShowsThem() {
        var model = Fixtures.model(Fixtures.names().getFirst());
        assertThat(model.toTokens("Hello world!")).hasToString("tensor([[50256, 15496,   995,     0]])");
    }
}
