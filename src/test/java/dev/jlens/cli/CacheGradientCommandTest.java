package dev.jlens.cli;

import dev.jlens.Fixtures;
import dev.jlens.io.Checkpoint;
import dev.jlens.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;

import static dev.jlens.Fixtures.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code jlens cache --grad-of-logit-diff CORRECT INCORRECT}: the gradients beside the activations. */
class CacheGradientCommandTest {
    private final String modelA = Fixtures.modelDir("a").toString();

    @Test
    void gradientsAreSavedBesideTheActivationsAndEqualAutograd(@TempDir Path dir) {
        Path out = dir.resolve("pet.safetensors");
        CliRunner.Result r = CliRunner.run("cache", "--model", modelA, "--prompt", Fixtures.PET_PROMPT, "--out", out.toString(),
                "--grad-of-logit-diff", " Peb", " Rachel");
        assertThat(r.exitCode()).as(r.err()).isZero();
        try (Checkpoint saved = Checkpoint.open(out);
             Checkpoint reference = Checkpoint.open(Fixtures.root().resolve("tiny-gpt2-a-ref/grad-reference.safetensors"))) {
            int checked = 0;
            for (String name : reference.names()) {
                if (!name.startsWith("grad/")) continue;
                String hook = name.substring("grad/".length());
                assertThat(saved.names()).contains(hook, hook + "_grad");
                dev.jlens.model.GradientParityTest.assertGradientClose(hook, read(saved, hook + "_grad"), read(reference, name));
                checked++;
            }
            assertThat(checked).isEqualTo(4 * 17 + 5);
            assertClose("hook_embed", read(saved, "hook_embed"), Fixtures.referenceTensor("a", "cache/hook_embed"));
        }
    }

    @Test
    void aMultiTokenAnswerIsRefused(@TempDir Path dir) {
        Path out = dir.resolve("pet.safetensors");
        CliRunner.Result r = Refused.run("cache", "--model", modelA, "--prompt", Fixtures.PET_PROMPT, "--out", out.toString(),
                "--grad-of-logit-diff", " Pebbles", " Rachel");
        assertThat(r.err()).isEqualTo("jlens: --grad-of-logit-diff: ' Pebbles' is 2 tokens; each answer must be exactly one token\n");
        Refused.nothingWritten(out);
    }

    private static Tensor read(Checkpoint file, String name) {
        int[] shape = Arrays.stream(file.info(name).shape()).mapToInt(Math::toIntExact).toArray();
        return Tensor.of(file.readFloat32(name), shape);
    }
}
