package dev.jlens.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A weights cache file that did not check out is rebuilt, and the command line says so in one line. */
class WeightsCacheNoticeTest {
    @Test
    void aRebuiltCacheFileIsReportedInOneNoticeLine(@TempDir Path dir) throws IOException {
        Path model = ModelFolders.copyOfA(dir);
        Path cache = dir.resolve("cache");
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("HF_HUB_OFFLINE", "1");
        env.put("JLENS_WEIGHTS_CACHE", cache.toString());
        String[] generate = {"generate", "--model", model.toString(), "--prompt", "Mary is a human. Fido is a", "--max-new-tokens", "3", "--greedy"};

        CliRunner.Result first = CliRunner.runWithEnv(env, generate);
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.err()).isEmpty();
        List<Path> entries;
        try (var files = Files.list(cache)) {
            entries = files.filter(f -> f.toString().endsWith(".jlw")).toList();
        }
        assertThat(entries).hasSize(1);
        try (FileChannel ch = FileChannel.open(entries.getFirst(), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[4096]), ch.size() / 2);
        }

        CliRunner.Result second = CliRunner.runWithEnv(env, generate);
        assertThat(second.exitCode()).as(second.err()).isZero();
        assertThat(second.out()).isEqualTo(first.out());
        assertThat(second.errLines()).singleElement().asString()
                .startsWith("jlens: note: weights cache file " + entries.getFirst() + " did not check out (checksum mismatch in data bytes ")
                .endsWith("); rebuilt from " + model.resolve("model.safetensors"));

        CliRunner.Result third = CliRunner.runWithEnv(env, generate);
        assertThat(third.out()).isEqualTo(first.out());
        assertThat(third.err()).as("the rebuilt file checks out").isEmpty();
    }

    @Test
    void aBadCapIsOneLine(@TempDir Path dir) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("HF_HUB_OFFLINE", "1");
        env.put("JLENS_WEIGHTS_CACHE", dir.toString());
        env.put("JLENS_WEIGHTS_CACHE_MAX_GB", "lots");
        CliRunner.Result r = Refused.runWithEnv(env, "generate", "--model", ModelFolders.copyOfA(dir).toString(), "--prompt", "Hi", "--max-new-tokens", "1");
        assertThat(r.err()).isEqualTo("jlens: JLENS_WEIGHTS_CACHE_MAX_GB=lots: not a size in gigabytes (a number such as 20 or 0.5)\n");
    }
}
