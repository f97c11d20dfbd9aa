package dev.jlens.model;

import dev.jlens.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** How a parameter tensor becomes the packed weights' plain array. */
class ModelWeightsTest {

    @Test
    void aFoldedParameterStaysNull() {
        assertThat(ModelWeights.valuesOrNull(null)).isNull();
    }

    @Test
    void aParameterBecomesItsValuesInRowMajorOrderAsACopy() {
        float[] data = {1, 2, 3, 4, 5, 6};
        assertThat(ModelWeights.valuesOrNull(Tensor.of(data, 6))).containsExactly(1, 2, 3, 4, 5, 6).isNotSameAs(data);
        assertThat(ModelWeights.valuesOrNull(Tensor.of(data, 2, 3).transpose(0, 1))).containsExactly(1, 4, 2, 5, 3, 6);
        assertThat(ModelWeights.valuesOrNull(Tensor.wrap(data, 2, 4))).containsExactly(3, 4, 5, 6);
    }
}
