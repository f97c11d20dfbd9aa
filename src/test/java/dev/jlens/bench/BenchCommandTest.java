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
    void withAnSaeItTimesTheBlockTheSaeSitsInBesideTheSae() {
        String sae = dev.jlens.sae.SaeFixtures.folder("standard").toString();  // blocks.2.hook_mlp_out, d_sae 256
        var r = dev.jlens.cli.CliRunnerAccess.run("bench", "--model", Fixtures.modelDir("a").toString(), "--tokens", "12", "--runs", "3", "--no-sweep", "--sae", sae, "--json");
        assertThat(r[0]).as(r[2]).isEqualTo("0");
        String[] lines = r[1].strip().split("\n");
        assertThat(lines[lines.length - 2]).matches("SAE at blocks\\.2\\.hook_mlp_out \\(d_sae 256, [0-9.]+ features firing per position; medians of 3\\): "
                + "block 2 alone [0-9.]+ ms, with the SAE spliced in [0-9.]+ ms; the SAE costs -?[0-9.]+ ms = -?[0-9.]+ blocks \\(by itself [0-9.]+ ms\\)");
        JsonNode last = JsonMapper.shared().readTree(lines[lines.length - 1]);
        assertThat(last.propertyNames()).containsExactly("forward_ms", "backward_ms", "sweep_resid_pre_s", "load_s", "block_ms", "sae_in_block_ms", "sae_alone_ms");
        assertThat(last.get("block_ms").asDouble()).isPositive();
        assertThat(last.get("sae_alone_ms").asDouble()).isPositive();
    }

    @Test
    void anSaeOutsideTheBlocksIsRefusedInOneLine(@TempDir Path dir) throws java.io.IOException {
        Path from = dev.jlens.sae.SaeFixtures.folder("standard"), sae = java.nio.file.Files.createDirectories(dir.resolve("embed"));
        java.nio.file.Files.writeString(sae.resolve("cfg.json"), java.nio.file.Files.readString(from.resolve("cfg.json")).replace("blocks.2.hook_mlp_out", "hook_embed"));
        java.nio.file.Files.copy(from.resolve("sae_weights.safetensors"), sae.resolve("sae_weights.safetensors"));
        var r = dev.jlens.cli.CliRunnerAccess.run("bench", "--model", Fixtures.modelDir("a").toString(), "--tokens", "4", "--runs", "1", "--no-sweep", "--sae", sae.toString());
        assertThat(r[0]).isEqualTo("1");
        assertThat(r[2]).isEqualTo("jlens: " + sae + ": bench times an SAE inside a block, and hook_embed is not a block's hook point\n");
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
