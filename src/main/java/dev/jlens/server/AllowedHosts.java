package dev.jlens.server;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which Host headers the server answers, on any address it listens on: the defense against DNS rebinding, where
 * a page of another site has its own name resolve to this server and then calls the API as its own origin. Such a
 * request always carries the other site's name, so the server answers only names it was told are its own:
 * {@code localhost}, {@code 127.0.0.1}, {@code [::1]} and the names given with {@code --allow-host}. When it listens
 * on another address than loopback, an address literal ({@code 192.168.1.5}, {@code [fe80::1]}) is answered too: a
 * URL with an address in it is that server's own origin, and no name can be rebound to it.
 */
final class AllowedHosts {
    static final List<String> LOOPBACK = List.of("localhost", "127.0.0.1", "[::1]");
    private static final Pattern NAME = Pattern.compile("(?i)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\\.?");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("\\[[0-9a-fA-F:.]+(%[0-9A-Za-z._-]+)?]");

    private final Set<String> names = new LinkedHashSet<>(LOOPBACK);
    private final Set<String> extra = new LinkedHashSet<>();
    private final boolean addressLiterals;

    /** {@code loopbackOnly}: the server listens on loopback, where no other machine's address can name it. */
    AllowedHosts(boolean loopbackOnly, List<String> allowed) {
        for (String name : allowed) {
            String n = normalize(name);
            names.add(n);
            extra.add(n);
        }
        this.addressLiterals = !loopbackOnly;
    }

    /** Whether {@code name} can be given to {@code --allow-host}: a host name or an address, without port or scheme. */
    static boolean isHostName(String name) {
        return NAME.matcher(name).matches() || IPV6.matcher(name).matches();
    }

    /** Whether a request with this Host header (a name and an optional port) is answered. */
    boolean allows(String hostHeader) {
        if (hostHeader == null) return false;
        String name = hostHeader.startsWith("[") ? hostHeader.substring(0, hostHeader.indexOf(']') + 1) : hostHeader.replaceFirst(":\\d+$", "");
        if (name.isEmpty()) return false;
        name = normalize(name);
        if (names.contains(name)) return true;
        return addressLiterals && (IPV4.matcher(name).matches() || IPV6.matcher(name).matches());
    }

    /** The refusal's line for a Host that is not answered. */
    String refusal(String hostHeader) {
        if (extra.isEmpty() && !addressLiterals) return "this server answers requests for 127.0.0.1 or localhost only, not " + hostHeader;
        String allowed = String.join(", ", names) + (addressLiterals ? " and its addresses" : "");
        return "this server answers requests for " + allowed + " only, not " + hostHeader
                + "; to serve another name, start it with --allow-host NAME";
    }

    private static String normalize(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }
}
