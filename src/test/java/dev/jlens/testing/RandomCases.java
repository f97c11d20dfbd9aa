package dev.jlens.testing;

import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Seeded random inputs for property tests: each check runs on {@code tries} inputs drawn from a
 * {@link Random} whose seed is derived from the test's own seed and the try number, so a failure names the
 * try and replays exactly. (Plain JUnit loops: the jqwik engine asks AI agents not to use it, and these
 * tests are written with one.)
 */
public final class RandomCases {
    /**
     * Tries of each {@code exhaustive} property: 10^5 unless {@code -Dfuzz.tries=N} asks for more (the Maven profile
     * passes it on as the system property {@code jlens.fuzz.tries}). Growing the count keeps the first tries, since
     * each try's seed depends only on its number.
     */
    public static final int EXHAUSTIVE = exhaustiveTries();

    private RandomCases() {}

    private static int exhaustiveTries() {
        String asked = System.getProperty("jlens.fuzz.tries");
        // unset, or Maven's placeholder when no profile defined fuzz.tries
        if (asked == null || asked.isBlank() || asked.startsWith("${")) return 100_000;
        int tries;
        try {
            tries = Integer.parseInt(asked.strip().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalStateException("fuzz.tries must be a whole number, got '" + asked + "'", e);
        }
        if (tries < 1) throw new IllegalStateException("fuzz.tries must be at least 1, got " + tries);
        return tries;
    }

    /** Runs {@code check} on {@code tries} independent random sources; a failure says which try and seed. */
    public static void run(long seed, int tries, Consumer<Random> check) {
        for (int i = 0; i < tries; i++) {
            long trySeed = seed * 0x9E3779B97F4A7C15L + i;
            try {
                check.accept(new Random(trySeed));
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("property failed on try " + i + " (seed " + trySeed + "): " + e.getMessage(), e);
            }
        }
    }

    /** A string of {@code 0..maxPieces} pieces, each drawn by one of the generators. */
    @SafeVarargs
    public static String pieces(Random r, int maxPieces, java.util.function.Function<Random, String>... generators) {
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(maxPieces + 1);
        for (int i = 0; i < n; i++) sb.append(generators[r.nextInt(generators.length)].apply(r));
        return sb.toString();
    }

    /** Any Unicode scalar value (no surrogates). */
    public static String anyCodePoint(Random r) {
        int c;
        do {
            c = r.nextInt(Character.MAX_CODE_POINT + 1);
        } while (c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE);
        return Character.toString(c);
    }

    public static String supplementaryCodePoint(Random r) {
        return Character.toString(0x10000 + r.nextInt(Character.MAX_CODE_POINT - 0x10000 + 1));
    }

    /** 1..maxLen printable ASCII characters. */
    public static String ascii(Random r, int maxLen) {
        StringBuilder sb = new StringBuilder();
        int n = 1 + r.nextInt(maxLen);
        for (int i = 0; i < n; i++) sb.append((char) (' ' + r.nextInt(95)));
        return sb.toString();
    }

    /** Any chars, lone surrogates included. */
    public static String anyChars(Random r, int maxLen) {
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(maxLen + 1);
        for (int i = 0; i < n; i++) sb.append((char) r.nextInt(Character.MAX_VALUE + 1));
        return sb.toString();
    }

    /** A string of characters picked from {@code alphabet}, length 0..maxLen. */
    public static String fromAlphabet(Random r, String alphabet, int maxLen) {
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(maxLen + 1);
        for (int i = 0; i < n; i++) sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
        return sb.toString();
    }

    public static <T> T oneOf(Random r, List<T> options) {
        return options.get(r.nextInt(options.size()));
    }

    public static byte[] bytes(Random r, int maxLen) {
        byte[] b = new byte[r.nextInt(maxLen + 1)];
        r.nextBytes(b);
        return b;
    }

    /** {@code base} with a few bytes overwritten, inserted or deleted, or cut short. */
    public static byte[] mutate(Random r, byte[] base) {
        byte[] out = base.clone();
        int edits = 1 + r.nextInt(4);
        for (int e = 0; e < edits && out.length > 0; e++) {
            int at = r.nextInt(out.length);
            switch (r.nextInt(4)) {
                case 0 -> out[at] = (byte) r.nextInt(256);
                case 1 -> out[at] ^= (byte) (1 << r.nextInt(8));
                case 2 -> out = java.util.Arrays.copyOf(out, at);
                default -> {
                    byte[] longer = new byte[out.length + 1];
                    System.arraycopy(out, 0, longer, 0, at);
                    longer[at] = (byte) r.nextInt(256);
                    System.arraycopy(out, at, longer, at + 1, out.length - at);
                    out = longer;
                }
            }
        }
        return out;
    }
}
