package dev.jlens.hub;

import dev.jlens.JlensException;

import java.util.regex.Pattern;

/**
 * A model repository on the Hugging Face Hub, {@code org/name}, checked as the Hub checks repo ids (letters,
 * digits, {@code - _ .}; no {@code --} or {@code ..}; at most 96 characters), so that it is safe as a URL path and
 * as the cache folder name {@code models--org--name}.
 */
public record RepoId(String org, String name) {
    private static final Pattern PART = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?");

    public RepoId {
        if (!validPart(org) || !validPart(name) || org.length() + name.length() + 1 > 96 || name.endsWith(".git")) {
            throw new JlensException("'" + org + "/" + name + "' is not a valid Hugging Face repo id (org/name: letters, digits, - _ .)");
        }
    }

    /** {@code org/name}; throws a one-line {@link JlensException} if it is not one. */
    public static RepoId parse(String id) {
        int slash = id.indexOf('/');
        if (slash < 0 || id.indexOf('/', slash + 1) >= 0) {
            throw new JlensException("'" + id + "' is not a valid Hugging Face repo id (expected org/name)");
        }
        return new RepoId(id.substring(0, slash), id.substring(slash + 1));
    }

    /** Whether {@code s} has the form of a repo id. */
    public static boolean isRepoId(String s) {
        int slash = s.indexOf('/');
        if (slash < 0 || s.indexOf('/', slash + 1) >= 0) return false;
        String org = s.substring(0, slash), name = s.substring(slash + 1);
        return validPart(org) && validPart(name) && s.length() <= 96 && !name.endsWith(".git");
    }

    private static boolean validPart(String p) {
        return p != null && PART.matcher(p).matches() && !p.contains("--") && !p.contains("..");
    }

    /** The folder huggingface_hub keeps this repo in under the hub cache: {@code models--org--name}. */
    public String cacheFolderName() {
        return "models--" + org + "--" + name;
    }

    public String id() {
        return org + "/" + name;
    }

    @Override
    public String toString() {
        return id();
    }
}
