package dev.jlens.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The web UI's files: a fixed allow-list from URL path to a file in the jar. A request's path is only ever a key
 * into this list; nothing from a request names a file to open.
 */
final class StaticAssets {
    record Asset(String resource, String contentType) {}

    private static final Map<String, Asset> FILES = Map.of(
            "/", new Asset("/dev/jlens/server/index.html", "text/html; charset=utf-8"),
            "/assets/app.js", new Asset("/dev/jlens/server/app.js", "text/javascript; charset=utf-8"),
            "/assets/app.css", new Asset("/dev/jlens/server/app.css", "text/css; charset=utf-8"),
            "/assets/jlens.css", new Asset("/dev/jlens/viz/jlens.css", "text/css; charset=utf-8"),
            "/assets/jlens-figures.js", new Asset("/dev/jlens/viz/jlens-figures.js", "text/javascript; charset=utf-8"),
            "/assets/echarts.min.js", new Asset("/dev/jlens/viz/echarts.min.js", "text/javascript; charset=utf-8"));

    private final Map<String, byte[]> cache = new ConcurrentHashMap<>();

    Optional<Asset> find(String path) {
        return Optional.ofNullable(FILES.get(path));
    }

    byte[] bytes(Asset asset) {
        return cache.computeIfAbsent(asset.resource(), r -> {
            try (InputStream in = StaticAssets.class.getResourceAsStream(r)) {
                if (in == null) throw new IllegalStateException("missing bundled file " + r + " (a broken build?)");
                return in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
