package dev.jlens.hub;

import dev.jlens.io.AtomicFile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The cache layout huggingface_hub uses, so that it and jlens reuse each other's downloads:
 * <pre>
 * {cache}/models--{org}--{name}/blobs/{etag}                 the content, named by git blob id or sha256
 *                              /snapshots/{commit}/{file}    relative symbolic link to ../../blobs/{etag}
 *                              /refs/{revision}              the commit a branch or tag was at (no newline)
 * {cache}/.locks/models--{org}--{name}/{etag}.lock           taken while a blob is written
 * </pre>
 * Where the file system refuses symbolic links (or {@code HF_HUB_DISABLE_SYMLINKS} is set), a snapshot file is
 * a copy of its blob, as huggingface_hub does then.
 */
public final class HubCache {
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]*");

    private final Path root;
    private final boolean symlinks;

    public HubCache(Path root, boolean symlinks) {
        this.root = root;
        this.symlinks = symlinks;
    }

    public HubCache(HubSettings settings) {
        this(settings.cacheDir(), settings.symlinks());
    }

    public Path root() {
        return root;
    }

    public Path repoDir(RepoId repo) {
        return root.resolve(repo.cacheFolderName());
    }

    public Path blob(RepoId repo, String etag) {
        return repoDir(repo).resolve("blobs").resolve(checkEtag(etag));
    }

    /** Where a blob is written until it is complete and verified. */
    public Path incomplete(RepoId repo, String etag) {
        return repoDir(repo).resolve("blobs").resolve(checkEtag(etag) + ".incomplete");
    }

    public Path lockFile(RepoId repo, String etag) {
        return root.resolve(".locks").resolve(repo.cacheFolderName()).resolve(checkEtag(etag) + ".lock");
    }

    public Path snapshotDir(RepoId repo, String commit) {
        if (!Revision.isCommitHash(commit)) throw new IllegalArgumentException("not a commit hash: " + commit);
        return repoDir(repo).resolve("snapshots").resolve(commit);
    }

    /** A file of a snapshot; {@code file} is a repo path such as {@code config.json} or {@code onnx/model.onnx}. */
    public Path snapshotFile(RepoId repo, String commit, String file) {
        Path dir = snapshotDir(repo, commit);
        Path p = dir;
        for (String part : checkFileName(file).split("/")) p = p.resolve(part);
        return p;
    }

    /**
     * The commit a revision stands for in the cache, without any request: a commit hash is itself (when its
     * snapshot folder is there), a branch or tag is what {@code refs/{revision}} says.
     */
    public Optional<String> commitOf(RepoId repo, String revision) {
        Revision.check(revision);
        if (Revision.isCommitHash(revision)) {
            return Files.isDirectory(snapshotDir(repo, revision)) ? Optional.of(revision) : Optional.empty();
        }
        Path ref = repoDir(repo).resolve("refs").resolve(revision);
        try {
            if (!Files.isRegularFile(ref)) return Optional.empty();
            String commit = Files.readString(ref).strip();
            return Revision.isCommitHash(commit) ? Optional.of(commit) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Records that {@code revision} is at {@code commit} (atomically; nothing to do for a commit hash). */
    public void writeRef(RepoId repo, String revision, String commit) throws IOException {
        Revision.check(revision);
        if (revision.equals(commit)) return;
        if (!Revision.isCommitHash(commit)) throw new IllegalArgumentException("not a commit hash: " + commit);
        Path ref = repoDir(repo).resolve("refs").resolve(revision);
        if (Files.isRegularFile(ref) && Files.readString(ref).equals(commit)) return;
        Files.createDirectories(ref.getParent());
        byte[] content = commit.getBytes(StandardCharsets.US_ASCII);
        AtomicFile.replace(ref, out -> AtomicFile.writeFully(out, ByteBuffer.wrap(content)));
    }

    /**
     * Makes {@code snapshots/{commit}/{file}} point at {@code blobs/{etag}}: a relative symbolic link, or a copy
     * where links are refused. Returns whether it created something (false when it was already there).
     */
    public boolean link(RepoId repo, String commit, String file, String etag) throws IOException {
        Path blob = blob(repo, etag);
        Path pointer = snapshotFile(repo, commit, file);
        if (Files.isRegularFile(pointer) && pointsTo(pointer, blob)) return false;
        Files.createDirectories(pointer.getParent());
        Files.deleteIfExists(pointer);
        if (symlinks) {
            Path target = pointer.getParent().relativize(blob);
            try {
                Files.createSymbolicLink(pointer, target);
                return true;
            } catch (FileAlreadyExistsException e) {
                if (pointsTo(pointer, blob)) return false;  // made by a concurrent download of the same file
                throw e;
            } catch (UnsupportedOperationException | IOException e) {
                // The file system has no symbolic links (or refuses them here): copy, as huggingface_hub does.
            }
        }
        AtomicFile.replace(pointer, AtomicFile.copyOf(blob));
        return true;
    }

    /** Whether a snapshot file is (a link to) that blob; a copy counts when its size matches. */
    static boolean pointsTo(Path pointer, Path blob) {
        try {
            if (Files.isSymbolicLink(pointer)) {
                return Files.exists(pointer) && Files.isSameFile(pointer, blob);
            }
            return Files.isRegularFile(pointer, LinkOption.NOFOLLOW_LINKS) && Files.isRegularFile(blob)
                    && Files.size(pointer) == Files.size(blob);
        } catch (IOException e) {
            return false;
        }
    }

    static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
        // the caller forced the file; forcing the folder makes the rename itself survive a power cut
        dev.jlens.io.AtomicFile.forceFolder(to.toAbsolutePath().getParent());
    }

    /** An ETag names a file in {@code blobs/}: it must not be able to name anything else. */
    static String checkEtag(String etag) {
        if (etag == null || etag.length() > 200 || !SAFE_NAME.matcher(etag).matches()) {
            throw new HubException(HubException.Kind.BAD_CONTENT, "the Hub sent an ETag that cannot name a cache file: " + etag);
        }
        return etag;
    }

    static String checkFileName(String file) {
        if (file == null || file.isEmpty() || file.startsWith("/") || file.contains("\\") || file.contains("\0")) {
            throw new IllegalArgumentException("not a repo file name: " + file);
        }
        for (String part : file.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) throw new IllegalArgumentException("not a repo file name: " + file);
        }
        return file;
    }
}
