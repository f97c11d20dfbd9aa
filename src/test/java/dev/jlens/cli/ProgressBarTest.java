package dev.jlens.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class ProgressBarTest {
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(buf, true, StandardCharsets.UTF_8);
    private long now;

    private String drawn() {
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void drawsInPlaceAtMostTenTimesASecondAndEndsTheLine() {
        try (ProgressBar bar = new ProgressBar(err, true, "gpt2", () -> now)) {
            bar.update(0, 2_000_000);
            now += 50_000_000;
            bar.update(500_000, 2_000_000);  // too soon: not drawn
            now += 60_000_000;
            bar.update(1_000_000, 2_000_000);
            bar.update(2_000_000, 2_000_000);  // the end is always drawn
            bar.update(2_000_000, 2_000_000);  // once
        }
        String out = drawn();
        assertThat(out.split("\r", -1)).hasSize(4);
        assertThat(out).contains("gpt2   0% [..............................] 0 B / 2.0 MB")
                .contains(" 50% [###############...............] 1.0 MB / 2.0 MB")
                .contains("100% [##############################] 2.0 MB / 2.0 MB")
                .endsWith("\n").doesNotContain("25%");
    }

    @Test
    void aRowsBarShowsTheRateAndTheTimeLeft() {
        try (ProgressBar bar = ProgressBar.rows(err, true, "prompts", () -> now)) {
            bar.update(0, 100);
            now += 4_000_000_000L;
            bar.update(10, 100);    // 2.5 rows/s: 90 rows left take 36 s
            now += 4_000_000_000L;
            bar.update(100, 100);
        }
        assertThat(drawn()).contains("prompts  10% [###...........................] 10 / 100, 2.5 rows/s, ETA 0:36")
                .contains("100 / 100, 12.5 rows/s").doesNotContain("ETA 0:00");
    }

    @Test
    void printsNothingWhenStderrIsNotATerminal() {
        try (ProgressBar bar = new ProgressBar(err, false, "gpt2", () -> now)) {
            bar.update(1, 2);
            bar.update(2, 2);
        }
        assertThat(drawn()).isEmpty();
    }

    @Test
    void nothingToDownloadDrawsNothing() {
        try (ProgressBar bar = new ProgressBar(err, true, "gpt2", () -> now)) {
            bar.update(0, 0);
        }
        assertThat(drawn()).isEmpty();
    }

    @Test
    void sizesAreDecimalAsTheHubShowsThem() {
        assertThat(ProgressBar.bytes(999)).isEqualTo("999 B");
        assertThat(ProgressBar.bytes(548_105_171L)).isEqualTo("548 MB");
        assertThat(ProgressBar.bytes(1_519_848_328L)).isEqualTo("1.5 GB");
        assertThat(ProgressBar.bytes(13_933_096L)).isEqualTo("14 MB");
    }
}
