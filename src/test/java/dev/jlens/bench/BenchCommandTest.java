package dev.jlens.bench;

import dev.jlens.Fixtures;
import dev.jlens.model.HookedTransformer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code jlens bench --json}'s last line, and random checkpoints of a given shape (no timing is asserted). */
class BenchCommandTest {
    @Test
    void benchEndsWithTheJsonLineOfTheContract() {
        var r = dev.jlens.cli.CliRunnerAccess.run("bench", "--model", Fixtures.modelDir("a").toString(), "--tokens", "12", "--runs", "2", "--json");
        assertThat(r[0]).as(r[2]).isEqualTo("0");
        String[] lines = r[1].strip().split("\n");
        JsonNode last = JsonMapper.shared().readTree(lines[lines.length - 1]);
        assertThat(last.propertyNames()).containsExactly("forward_ms", "backward_ms", "sweep_resid_pre_s", "load_s");
        assertThat(last.get("forward_ms").asDouble()).isPositive();
        assertThat(last.get("backward_ms").asDouble()).isPositive();
        assertThat(last.get("sweep_resid_pre_s").asDouble()).isPositive();
        assertThat(lines[2]).startsWith("forward + backward (");
        assertThat(lines[3]).contains("(48 runs)");  // 4 layers x 12 positions
    }

    @Test
    void randomCheckpointsLoadAndRun(@TempDir Path dir) {
        RandomGpt2.write(dir, 2, 4, 32, 7, Fixtures.modelDir("a"));
        HookedTransformer m = HookedTransformer.fromFolder(dir);
        assertThat(m.cfg().nLayers()).isEqualTo(2);
        assertThat(m.cfg().dModel()).isEqualTo(32);
        assertThat(m.forward("Hello world").shape()).containsExactly(1, 3, 50257);
        assertThat(RandomGpt2.Shape.of("gpt2-large")).isEqualTo(RandomGpt2.Shape.LARGE);
    }
}
