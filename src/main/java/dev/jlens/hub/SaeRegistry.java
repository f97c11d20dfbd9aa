package dev.jlens.hub;

import dev.jlens.JlensException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * SAELens' pretrained SAE releases for gpt2-small that are folders in SAELens' layout on the Hub ({@code SAE.from_pretrained(release,
 * sae_id)}): {@code gpt2-small-res-jb/blocks.8.hook_resid_pre} is the folder {@code blocks.8.hook_resid_pre} of
 * {@code jbloom/GPT2-Small-SAEs-Reformatted}. The table is {@code sae-releases.tsv} beside this class.
 */
public final class SaeRegistry {
    /** One SAE of a release: its repository and folder there. */
    public record KnownSae(String release, String repoId, String id, String folder) {}

    private static final Map<String, List<KnownSae>> RELEASES = read();

    private SaeRegistry() {
    }

    public static Map<String, List<KnownSae>> releases() {
        return RELEASES;
    }

    /**
     * {@code release/id} as an SAE of a known release; empty when the release is not known. A known release with
     * an id it does not have is a one-line error listing a few of its ids.
     */
    public static Optional<KnownSae> lookup(String releaseAndId) {
        int slash = releaseAndId.indexOf('/');
        if (slash < 0) return Optional.empty();
        List<KnownSae> saes = RELEASES.get(releaseAndId.substring(0, slash));
        if (saes == null) return Optional.empty();
        String id = releaseAndId.substring(slash + 1);
        for (KnownSae s : saes) if (s.id().equals(id)) return Optional.of(s);
        List<String> ids = saes.stream().map(KnownSae::id).toList();
        throw new JlensException("SAE release " + saes.get(0).release() + " has no SAE '" + id + "'; it has " + ids.size() + ": "
                + String.join(", ", ids.subList(0, Math.min(4, ids.size()))) + (ids.size() > 4 ? ", ..." : ""));
    }

    private static Map<String, List<KnownSae>> read() {
        Map<String, List<KnownSae>> out = new LinkedHashMap<>();
        try (InputStream in = SaeRegistry.class.getResourceAsStream("sae-releases.tsv");
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.isBlank() || line.startsWith("#")) continue;
                String[] f = line.split("\t");
                out.computeIfAbsent(f[0], k -> new ArrayList<>()).add(new KnownSae(f[0], f[1], f[2], f[3]));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.replaceAll((k, v) -> List.copyOf(v));
        return java.util.Collections.unmodifiableMap(out);
    }
}
