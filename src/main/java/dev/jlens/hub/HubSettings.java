package dev.jlens.hub;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Where and how to reach the Hugging Face Hub, read from the environment variables huggingface_hub reads, with
 * its precedence:
 * <ul>
 *   <li>cache: {@code HF_HUB_CACHE}, else {@code HUGGINGFACE_HUB_CACHE}, else {@code HF_HOME/hub}, else
 *       {@code $XDG_CACHE_HOME/huggingface/hub}, else {@code ~/.cache/huggingface/hub};</li>
 *   <li>endpoint: {@code HF_ENDPOINT} (trailing slashes removed), else {@code https://huggingface.co};</li>
 *   <li>token: {@code HF_TOKEN}, else {@code HUGGING_FACE_HUB_TOKEN}, else the token file that
 *       {@code huggingface-cli login} writes ({@code HF_TOKEN_PATH}, else {@code HF_HOME/token}, else
 *       {@code ~/.cache/huggingface/token}); none when {@code HF_HUB_DISABLE_IMPLICIT_TOKEN} is true;</li>
 *   <li>offline: {@code HF_HUB_OFFLINE} (or {@code TRANSFORMERS_OFFLINE}) is one of 1, true, yes, on;</li>
 *   <li>timeouts: {@code HF_HUB_ETAG_TIMEOUT} (metadata requests) and {@code HF_HUB_DOWNLOAD_TIMEOUT} (no data
 *       for that long cuts a download, which is then resumed), in seconds, 10 by default;</li>
 *   <li>symlinks: snapshot files link to their blobs unless {@code HF_HUB_DISABLE_SYMLINKS} is true (then, and
 *       where the file system refuses links, they are copies);</li>
 *   <li>the whole download's budget ({@link DownloadBudget}), jlens's own: {@code JLENS_HUB_DOWNLOAD_MIN_RATE} in kB/s
 *       and {@code JLENS_HUB_DOWNLOAD_GRACE} in seconds, 100 kB/s after 120 s by default.</li>
 * </ul>
 * {@code revision} is the revision used when none is asked for: {@value #DEFAULT_REVISION}.
 */
public record HubSettings(Path cacheDir, String endpoint, String token, boolean offline, String revision,
                          Duration etagTimeout, Duration downloadTimeout, boolean symlinks, DownloadBudget downloadBudget) {
    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";
    public static final String DEFAULT_REVISION = "main";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private static final Set<String> TRUE_VALUES = Set.of("1", "ON", "YES", "TRUE");

    public HubSettings {
        Objects.requireNonNull(cacheDir, "cacheDir");
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(revision, "revision");
        Objects.requireNonNull(etagTimeout, "etagTimeout");
        Objects.requireNonNull(downloadTimeout, "downloadTimeout");
        Objects.requireNonNull(downloadBudget, "downloadBudget");
    }

    /** Settings with the default revision, timeouts, symlinks and download budget. */
    public HubSettings(Path cacheDir, String endpoint, String token, boolean offline) {
        this(cacheDir, endpoint, token, offline, DEFAULT_REVISION, DEFAULT_TIMEOUT, DEFAULT_TIMEOUT, true, DownloadBudget.DEFAULT);
    }

    public static HubSettings fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    public static HubSettings fromEnvironment(Map<String, String> env) {
        Path home = Path.of(System.getProperty("user.home"));
        Path hfHome = present(env.get("HF_HOME")) ? expand(env.get("HF_HOME"), home)
                : (present(env.get("XDG_CACHE_HOME")) ? expand(env.get("XDG_CACHE_HOME"), home) : home.resolve(".cache")).resolve("huggingface");
        Path cache;
        if (present(env.get("HF_HUB_CACHE"))) cache = expand(env.get("HF_HUB_CACHE"), home);
        else if (present(env.get("HUGGINGFACE_HUB_CACHE"))) cache = expand(env.get("HUGGINGFACE_HUB_CACHE"), home);
        else cache = hfHome.resolve("hub");
        String endpoint = present(env.get("HF_ENDPOINT")) ? env.get("HF_ENDPOINT").strip().replaceAll("/+$", "") : DEFAULT_ENDPOINT;
        String token = null;
        if (!isTrue(env.get("HF_HUB_DISABLE_IMPLICIT_TOKEN"))) {
            token = cleanToken(env.get("HF_TOKEN"));
            if (token == null) token = cleanToken(env.get("HUGGING_FACE_HUB_TOKEN"));
            if (token == null) {
                Path file = present(env.get("HF_TOKEN_PATH")) ? expand(env.get("HF_TOKEN_PATH"), home) : hfHome.resolve("token");
                token = readTokenFile(file);
            }
        }
        boolean offline = isTrue(env.get("HF_HUB_OFFLINE")) || (!present(env.get("HF_HUB_OFFLINE")) && isTrue(env.get("TRANSFORMERS_OFFLINE")));
        return new HubSettings(cache, endpoint, token, offline, DEFAULT_REVISION,
                seconds(env.get("HF_HUB_ETAG_TIMEOUT")), seconds(env.get("HF_HUB_DOWNLOAD_TIMEOUT")),
                !isTrue(env.get("HF_HUB_DISABLE_SYMLINKS")), budget(env));
    }

    private static DownloadBudget budget(Map<String, String> env) {
        DownloadBudget d = DownloadBudget.DEFAULT;
        double rate = number(env.get(DownloadBudget.MIN_RATE_VARIABLE));
        double grace = number(env.get(DownloadBudget.GRACE_VARIABLE));
        return new DownloadBudget(rate > 0 ? rate : d.minKilobytesPerSecond(),
                grace >= 0 ? Duration.ofMillis(Math.round(Math.min(grace, 1e9) * 1000)) : d.grace());
    }

    /** The number in {@code value}; NaN when there is none. */
    private static double number(String value) {
        if (!present(value)) return Double.NaN;
        try {
            return Double.parseDouble(value.strip());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    public HubSettings withRevision(String newRevision) {
        return new HubSettings(cacheDir, endpoint, token, offline, newRevision, etagTimeout, downloadTimeout, symlinks, downloadBudget);
    }

    public HubSettings withOffline(boolean newOffline) {
        return new HubSettings(cacheDir, endpoint, token, newOffline, revision, etagTimeout, downloadTimeout, symlinks, downloadBudget);
    }

    public HubSettings withTimeouts(Duration etag, Duration download) {
        return new HubSettings(cacheDir, endpoint, token, offline, revision, etag, download, symlinks, downloadBudget);
    }

    public HubSettings withSymlinks(boolean on) {
        return new HubSettings(cacheDir, endpoint, token, offline, revision, etagTimeout, downloadTimeout, on, downloadBudget);
    }

    public HubSettings withDownloadBudget(DownloadBudget budget) {
        return new HubSettings(cacheDir, endpoint, token, offline, revision, etagTimeout, downloadTimeout, symlinks, budget);
    }

    /** Never shows the token, nor credentials in the endpoint. */
    @Override
    public String toString() {
        return "HubSettings[cacheDir=" + cacheDir + ", endpoint=" + Redaction.urls(endpoint) + ", token=" + (token == null ? "none" : "set")
                + ", offline=" + offline + ", revision=" + revision + ", etagTimeout=" + etagTimeout
                + ", downloadTimeout=" + downloadTimeout + ", symlinks=" + symlinks + ", downloadBudget=" + downloadBudget + "]";
    }

    static boolean isTrue(String value) {
        return value != null && TRUE_VALUES.contains(value.strip().toUpperCase(Locale.ROOT));
    }

    private static String cleanToken(String raw) {
        if (raw == null) return null;
        String t = raw.replace("\r", "").replace("\n", "").strip();
        return t.isEmpty() ? null : t;
    }

    private static String readTokenFile(Path file) {
        try {
            return Files.isRegularFile(file) ? cleanToken(Files.readString(file)) : null;
        } catch (IOException | RuntimeException e) {
            return null;  // an unreadable token file is as good as none: public repos still work
        }
    }

    private static Duration seconds(String value) {
        if (!present(value)) return DEFAULT_TIMEOUT;
        try {
            double s = Double.parseDouble(value.strip());
            return s > 0 ? Duration.ofMillis(Math.round(s * 1000)) : DEFAULT_TIMEOUT;
        } catch (NumberFormatException e) {
            return DEFAULT_TIMEOUT;
        }
    }

    private static Path expand(String value, Path home) {
        String v = value.strip();
        if (v.equals("~")) return home;
        if (v.startsWith("~/")) return home.resolve(v.substring(2));
        return Path.of(v);
    }

    private static boolean present(String s) {
        return s != null && !s.isBlank();
    }
}
