package dev.jlens.model;

import dev.jlens.JlensException;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where loads keep processed weights and built tokenizers ({@code folder}, empty when off), how many bytes
 * that folder may hold before its least recently used files are evicted, and who is told, in one line,
 * when a cache file did not check out and was rebuilt (the library itself prints nothing).
 */
public record CacheSettings(Optional<Path> folder, long maxBytes, Consumer<String> notices) {
    public static final String FOLDER_VARIABLE = "JLENS_WEIGHTS_CACHE", MAX_GB_VARIABLE = "JLENS_WEIGHTS_CACHE_MAX_GB";
    /** Room for gpt2 in every size (0.5, 1.4, 3.1 and 6.2 GB processed) with some to spare. */
    public static final double DEFAULT_MAX_GB = 20;

    /** The settings of {@code JLENS_WEIGHTS_CACHE} and {@code JLENS_WEIGHTS_CACHE_MAX_GB}; notices go nowhere. */
    public static CacheSettings fromEnvironment(Map<String, String> env) {
        return new CacheSettings(WeightsCache.folder(env), maxBytes(env.get(MAX_GB_VARIABLE)), line -> {});
    }

    public CacheSettings withNotices(Consumer<String> to) {
        return new CacheSettings(folder, maxBytes, to);
    }

    private static long maxBytes(String setting) {
        if (setting == null || setting.isBlank()) return (long) (DEFAULT_MAX_GB * 1e9);
        double gb;
        try {
            gb = Double.parseDouble(setting.strip());
        } catch (NumberFormatException e) {
            gb = Double.NaN;
        }
        if (!(gb >= 0) || gb > 1e9) {
            throw new JlensException(MAX_GB_VARIABLE + "=" + setting + ": not a size in gigabytes (a number such as 20 or 0.5)");
        }
        return (long) (gb * 1e9);
    }
}
