package dev.jlens.tensor;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CacheSizesTest {
    @Test
    void readsSysfsSizes() {
        assertThat(CacheSizes.parseSize("48K")).isEqualTo(48L << 10);
        assertThat(CacheSizes.parseSize("2048K")).isEqualTo(2L << 20);
        assertThat(CacheSizes.parseSize("4M")).isEqualTo(4L << 20);
        assertThat(CacheSizes.parseSize("1024")).isEqualTo(1024);
        assertThat(CacheSizes.parseSize("")).isEqualTo(-1);
        assertThat(CacheSizes.parseSize("lots")).isEqualTo(-1);
    }

    @Test
    void sizesArePositiveAndOrdered() {
        assertThat(CacheSizes.L1_BYTES).isPositive();
        assertThat(CacheSizes.L2_BYTES).isGreaterThan(CacheSizes.L1_BYTES);
    }
}
