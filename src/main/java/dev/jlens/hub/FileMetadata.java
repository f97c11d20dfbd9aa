package dev.jlens.hub;

import java.net.URI;

/**
 * What a {@code HEAD {endpoint}/{repo}/resolve/{revision}/{file}} tells: the commit the revision is at
 * ({@code X-Repo-Commit}), the blob's name ({@code X-Linked-Etag} for a large (LFS) file, which is its sha256,
 * else {@code ETag}, the git blob id), its size ({@code X-Linked-Size}, else {@code Content-Length}), and where to
 * GET it (the redirect's {@code Location} for a large file, else the resolve URL at that commit).
 */
public record FileMetadata(RepoId repo, String file, String commit, String etag, long size, URI location, boolean lfs) {
    /** The checksum the content must have: sha256 for a large file, git's blob sha1 for a small one, or none. */
    public Checksum checksum() {
        if (lfs && etag.matches("[0-9a-f]{64}")) return Checksum.SHA256;
        if (!lfs && etag.matches("[0-9a-f]{40}")) return Checksum.GIT_SHA1;
        return Checksum.NONE;
    }

    public enum Checksum { SHA256, GIT_SHA1, NONE }
}
