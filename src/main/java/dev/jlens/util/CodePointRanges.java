package dev.jlens.util;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Sorted, inclusive [start, end] pairs of code points, as flat arrays, and lookups in them. */
final class CodePointRanges {
    private CodePointRanges() {}

    /** True if {@code cp} lies in one of the inclusive [start, end] pairs of the sorted {@code ranges}. */
    static boolean contains(int[] ranges, int cp) {
        int lo = 0;
        int hi = ranges.length / 2 - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (cp < ranges[2 * mid]) {
                hi = mid - 1;
            } else if (cp > ranges[2 * mid + 1]) {
                lo = mid + 1;
            } else {
                return true;
            }
        }
        return false;
    }

    /** The ranges of a resource beside {@code owner}: a line "START END" (hex) a range, {@code #} comments. */
    static int[] resource(Class<?> owner, String name) {
        try (InputStream in = owner.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("missing resource " + name + " beside " + owner.getName());
            List<Integer> bounds = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) continue;
                String[] pair = line.trim().split("\\s+");
                bounds.add(Integer.parseInt(pair[0], 16));
                bounds.add(Integer.parseInt(pair[1], 16));
            }
            return bounds.stream().mapToInt(Integer::intValue).toArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
