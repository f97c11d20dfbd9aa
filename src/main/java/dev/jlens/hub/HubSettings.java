package dev.jlens.hub;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where and how to reach the Hugging Face Hub, read from the environment variables huggingface_hub
 * uses: {@code HF_HUB_CACHE} (else {@code HF_HOME/hub}, else {@code ~/.cache/huggingface/hub}),
 * {@code HF_ENDPOINT}, {@code HF_TOKEN}, {@code HF_HUB_OFFLINE}.
 */
public record HubSettings(Path cacheDir, String endpoint, String token, boolean offline) {
    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";

    public static HubSettings fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    public static HubSettings fromEnvironment(Map<String, String> env) {
        Path cache;
        if (present(env.get("HF_HUB_CACHE"))) cache = Path.of(env.get("HF_HUB_CACHE"));
        else if (present(env.get("HF_HOME"))) cache = Path.of(env.get("HF_HOME"), "hub");
        else cache = Path.of(System.getProperty("user.home"), ".cache", "huggingface", "hub");
        String endpoint = present(env.get("HF_ENDPOINT")) ? env.get("HF_ENDPOINT").replaceAll("/+$", "") : DEFAULT_ENDPOINT;
        String token = present(env.get("HF_TOKEN")) ? env.get("HF_TOKEN").strip() : null;
        String offline = env.getOrDefault("HF_HUB_OFFLINE", "");
        boolean isOffline = offline.equals("1") || offline.equalsIgnoreCase("true") || offline.equalsIgnoreCase("yes") || offline.equalsIgnoreCase("on");
        return new HubSettings(cache, endpoint, token, isOffline);
    }

    private static boolean present(String s) {
        return s != null && !s.isBlank();
    }
}
