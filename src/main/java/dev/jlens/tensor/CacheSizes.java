package dev.jlens.tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The data cache sizes of the CPU the kernels run on, for choosing block sizes: read once from Linux' sysfs
 * ({@code /sys/devices/system/cpu/cpu0/cache/index*}), else the sizes of a common server core. Only the
 * blocking follows them, never the order of a sum, so results do not depend on the machine's caches.
 */
public final class CacheSizes {
    /** Bytes of a core's level-1 data cache (48 KB where it cannot be read). */
    public static final long L1_BYTES = read(1, "Data", "Unified", 48L << 10);
    /** Bytes of a core's level-2 cache (2 MB where it cannot be read). */
    public static final long L2_BYTES = read(2, "Data", "Unified", 2L << 20);

    private CacheSizes() {}

    static long read(int level, String type, String otherType, long fallback) {
        Path dir = Path.of("/sys/devices/system/cpu/cpu0/cache");
        for (int index = 0; index < 8; index++) {
            Path cache = dir.resolve("index" + index);
            try {
                if (!Files.isDirectory(cache)) break;
                if (Integer.parseInt(Files.readString(cache.resolve("level")).trim()) != level) continue;
                String t = Files.readString(cache.resolve("type")).trim();
                if (!t.equals(type) && !t.equals(otherType)) continue;
                long size = parseSize(Files.readString(cache.resolve("size")).trim());
                if (size > 0) return size;
            } catch (IOException | RuntimeException e) {
                return fallback;
            }
        }
        return fallback;
    }

    /** "2048K", "48K", "4M" or a plain byte count; -1 when unreadable. */
    static long parseSize(String s) {
        if (s.isEmpty()) return -1;
        char unit = Character.toUpperCase(s.charAt(s.length() - 1));
        long scale = unit == 'K' ? 1L << 10 : unit == 'M' ? 1L << 20 : unit == 'G' ? 1L << 30 : 1;
        String digits = scale == 1 ? s : s.substring(0, s.length() - 1);
        try {
            return Long.parseLong(digits) * scale;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
