package dev.jlens.hub;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What of a URL a message may show: never the credentials in it. {@code HF_ENDPOINT} may carry a user and password
 * ({@code https://user:secret@host/}), and a redirect may lead to a signed URL whose query is a credential for a while;
 * in every URL of a message the user information becomes {@code ***@} and each query value {@code ***}.
 */
final class Redaction {
    private static final Pattern URL = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://[^\\s'\"<>]*");
    private static final Pattern USER_INFO = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@");
    private static final Pattern QUERY_VALUE = Pattern.compile("([?&][^=&#]*=)[^&#]*");

    private Redaction() {}

    /** {@code text} with the user information and query values of every URL in it replaced by {@code ***}. */
    static String urls(String text) {
        if (text == null || !text.contains("://")) return text;
        Matcher m = URL.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) m.appendReplacement(out, Matcher.quoteReplacement(url(m.group())));
        m.appendTail(out);
        return out.toString();
    }

    private static String url(String url) {
        String withoutUser = USER_INFO.matcher(url).replaceFirst("$1***@");
        int query = withoutUser.indexOf('?');
        if (query < 0) return withoutUser;
        return withoutUser.substring(0, query) + QUERY_VALUE.matcher(withoutUser.substring(query)).replaceAll("$1***");
    }

    /** {@code text} (what a server sent, e.g. in {@code X-Error-Message}) without {@code secret} in it. */
    static String without(String text, String secret) {
        if (text == null || secret == null || secret.isEmpty()) return text;
        return text.replace(secret, "***");
    }
}
