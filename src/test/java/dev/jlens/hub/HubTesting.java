package dev.jlens.hub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Settings and cache snapshots for the tests that talk to a {@link StandInHub}. */
final class HubTesting {
    /** Few, quick retries: a test that fails does so in well under a second. */
    static final HubClient.Options FAST = new HubClient.Options(3, Duration.ofMillis(20));

    private HubTesting() {}

    static HubSettings settings(StandInHub hub, Path cache) {
        return new HubSettings(cache, hub.endpoint(), null, false).withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5));
    }

    /** Every path under the cache (but .locks/) with what it is: a link's target, a file's size. */
    static Map<String, String> tree(Path cache) {
        Map<String, String> out = new TreeMap<>();
        if (!Files.exists(cache)) return out;
        try (Stream<Path> s = Files.walk(cache)) {
            for (Path p : s.toList()) {
                String rel = cache.relativize(p).toString();
                if (rel.isEmpty() || rel.startsWith(".locks")) continue;
                if (Files.isSymbolicLink(p)) out.put(rel, "-> " + Files.readSymbolicLink(p));
                else if (Files.isDirectory(p)) out.put(rel, "dir");
                else out.put(rel, Files.size(p) + " bytes");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
