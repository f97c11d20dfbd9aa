package dev.jlens.hub;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The environment variables, with huggingface_hub's precedence. */
class HubSettingsTest {
    @TempDir
    Path tmp;

    private final Path home = Path.of(System.getProperty("user.home"));

    @Test
    void defaults() {
        HubSettings s = HubSettings.fromEnvironment(Map.of("HF_TOKEN_PATH", tmp.resolve("none").toString()));
        assertThat(s.cacheDir()).isEqualTo(home.resolve(".cache/huggingface/hub"));
        assertThat(s.endpoint()).isEqualTo("https://huggingface.co");
        assertThat(s.token()).isNull();
        assertThat(s.offline()).isFalse();
        assertThat(s.revision()).isEqualTo("main");
        assertThat(s.etagTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.symlinks()).isTrue();
    }

    @Test
    void cacheFolderPrecedence() {
        assertThat(HubSettings.fromEnvironment(Map.of("HF_HUB_CACHE", "/a", "HUGGINGFACE_HUB_CACHE", "/b", "HF_HOME", "/c")).cacheDir()).isEqualTo(Path.of("/a"));
        assertThat(HubSettings.fromEnvironment(Map.of("HUGGINGFACE_HUB_CACHE", "/b", "HF_HOME", "/c")).cacheDir()).isEqualTo(Path.of("/b"));
        assertThat(HubSettings.fromEnvironment(Map.of("HF_HOME", "/c", "XDG_CACHE_HOME", "/x")).cacheDir()).isEqualTo(Path.of("/c/hub"));
        assertThat(HubSettings.fromEnvironment(Map.of("XDG_CACHE_HOME", "/x")).cacheDir()).isEqualTo(Path.of("/x/huggingface/hub"));
        assertThat(HubSettings.fromEnvironment(Map.of("HF_HUB_CACHE", "~/hf")).cacheDir()).isEqualTo(home.resolve("hf"));
    }

    @Test
    void endpointLosesTrailingSlashes() {
        assertThat(HubSettings.fromEnvironment(Map.of("HF_ENDPOINT", "http://127.0.0.1:8080//")).endpoint()).isEqualTo("http://127.0.0.1:8080");
    }

    @Test
    void tokenFromTheEnvironmentElseTheTokenFile() throws IOException {
        Path hfHome = Files.createDirectories(tmp.resolve("hf"));
        Files.writeString(hfHome.resolve("token"), "  hf_from_file\r\n");
        assertThat(HubSettings.fromEnvironment(Map.of("HF_HOME", hfHome.toString())).token()).isEqualTo("hf_from_file");
        assertThat(HubSettings.fromEnvironment(Map.of("HF_HOME", hfHome.toString(), "HF_TOKEN", "hf_env")).token()).isEqualTo("hf_env");
        assertThat(HubSettings.fromEnvironment(Map.of("HF_HOME", hfHome.toString(), "HUGGING_FACE_HUB_TOKEN", "hf_legacy")).token()).isEqualTo("hf_legacy");
        assertThat(HubSettings.fromEnvironment(Map.of("HF_HOME", hfHome.toString(), "HF_TOKEN", " ")).token()).isEqualTo("hf_from_file");
        Path elsewhere = tmp.resolve("elsewhere-token");
        Files.writeString(elsewhere, "hf_path");
        assertThat(HubSettings.fromEnvironment(Map.of("HF_HOME", hfHome.toString(), "HF_TOKEN_PATH", elsewhere.toString())).token()).isEqualTo("hf_path");
        assertThat(HubSettings.fromEnvironment(Map.of("HF_HOME", hfHome.toString(), "HF_TOKEN", "hf_env", "HF_HUB_DISABLE_IMPLICIT_TOKEN", "1")).token()).isNull();
        Files.writeString(hfHome.resolve("token"), "\n");
        assertThat(HubSettings.fromEnvironment(Map.of("HF_HOME", hfHome.toString())).token()).isNull();
    }

    @Test
    void theTokenIsNeverPrinted() {
        HubSettings s = HubSettings.fromEnvironment(Map.of("HF_TOKEN", "hf_very_secret"));
        assertThat(s.toString()).doesNotContain("hf_very_secret").contains("token=set");
    }

    @Test
    void offlineValuesAsHuggingfaceHubReadsThem() {
        for (String yes : new String[] {"1", "true", "TRUE", "yes", "on"}) {
            assertThat(HubSettings.fromEnvironment(Map.of("HF_HUB_OFFLINE", yes)).offline()).as(yes).isTrue();
        }
        for (String no : new String[] {"0", "false", "no", ""}) {
            assertThat(HubSettings.fromEnvironment(Map.of("HF_HUB_OFFLINE", no)).offline()).as(no).isFalse();
        }
        assertThat(HubSettings.fromEnvironment(Map.of("TRANSFORMERS_OFFLINE", "1")).offline()).isTrue();
        assertThat(HubSettings.fromEnvironment(Map.of("HF_HUB_OFFLINE", "0", "TRANSFORMERS_OFFLINE", "1")).offline()).isFalse();
    }

    @Test
    void timeoutsAndSymlinks() {
        HubSettings s = HubSettings.fromEnvironment(Map.of("HF_HUB_ETAG_TIMEOUT", "2.5", "HF_HUB_DOWNLOAD_TIMEOUT", "30", "HF_HUB_DISABLE_SYMLINKS", "1"));
        assertThat(s.etagTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(s.downloadTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.symlinks()).isFalse();
        assertThat(HubSettings.fromEnvironment(Map.of("HF_HUB_ETAG_TIMEOUT", "soon")).etagTimeout()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void theDownloadBudgetLetsGpt2LargeTakeNineHoursUnlessTheEnvironmentSaysOtherwise() {
        HubSettings s = HubSettings.fromEnvironment(Map.of("HF_TOKEN_PATH", tmp.resolve("none").toString()));
        // 100 kB/s after 120 s: gpt2-large's 3,250 MB of weights may take 120 s + 32,500 s.
        assertThat(s.downloadBudget().allowedFor(3_250_000_000L)).isEqualTo(Duration.ofSeconds(120 + 32_500));
        HubSettings set = HubSettings.fromEnvironment(Map.of("JLENS_HUB_DOWNLOAD_MIN_RATE", "2000", "JLENS_HUB_DOWNLOAD_GRACE", "0.5"));
        assertThat(set.downloadBudget().allowedFor(3_000_000)).isEqualTo(Duration.ofMillis(500 + 1_500));
        HubSettings nonsense = HubSettings.fromEnvironment(Map.of("JLENS_HUB_DOWNLOAD_MIN_RATE", "-1", "JLENS_HUB_DOWNLOAD_GRACE", "soon"));
        assertThat(nonsense.downloadBudget()).isEqualTo(DownloadBudget.DEFAULT);
    }

    @Test
    void settingsShowNeitherTheTokenNorCredentialsInTheEndpoint() {
        HubSettings s = HubSettings.fromEnvironment(Map.of("HF_ENDPOINT", "https://me:pa55@hub.example/", "HF_TOKEN", "hf_s3cret"));
        assertThat(s.endpoint()).isEqualTo("https://me:pa55@hub.example");
        assertThat(s.toString()).contains("https://***@hub.example").doesNotContain("pa55").doesNotContain("hf_s3cret");
    }
}
