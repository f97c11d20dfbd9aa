package dev.jlens.patching;

import dev.jlens.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link FastSweep#firstChange}: where a patched copy first differs along the position axis, over every batch row. */
class FirstChangeTest {
    private static Tensor ramp() {
        float[] v = new float[2 * 5 * 3];
        for (int i = 0; i < v.length; i++) v[i] = i * 0.5f - 3f;
        return Tensor.of(v, 2, 5, 3);
    }

    @Test
    void findsTheEarliestChangedPositionOverAllBatchRows() {
        Tensor a = ramp(), b = ramp();
        assertThat(FastSweep.firstChange(a, b, 1)).isEqualTo(-1);
        b.data()[b.offset() + (1 * 5 + 3) * 3 + 2] += 1f;   // [1, 3, 2]
        assertThat(FastSweep.firstChange(a, b, 1)).isEqualTo(3);
        b.data()[b.offset() + (0 * 5 + 4) * 3] += 1f;       // [0, 4, 0]: later, changes nothing
        assertThat(FastSweep.firstChange(a, b, 1)).isEqualTo(3);
        b.data()[b.offset() + (1 * 5 + 1) * 3 + 1] += 1f;   // [1, 1, 1]: earlier, in the second batch row
        assertThat(FastSweep.firstChange(a, b, 1)).isEqualTo(1);
    }

    @Test
    void aZeroOfTheOtherSignIsAChange() {
        Tensor a = Tensor.of(new float[]{1f, 0f, 2f, 3f}, 4), b = Tensor.of(new float[]{1f, -0f, 2f, 3f}, 4);
        assertThat(FastSweep.firstChange(a, b, 0)).isEqualTo(1);
    }
}
