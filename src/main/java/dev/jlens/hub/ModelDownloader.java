package dev.jlens.hub;

import dev.jlens.hub.HubException.Kind;
import dev.jlens.util.Progress;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Brings a GPT-2 model repository into the Hugging Face cache ({@link ModelFiles} says which files), in
 * huggingface_hub's layout ({@link HubCache}), and finds one there without any request.
 * <p>
 * A download asks the Hub for {@code config.json} at the revision first; its {@code X-Repo-Commit} fixes the commit,
 * and every other file is asked for at that commit, so all come from one commit even if the branch moves meanwhile.
 * Which tokenizer and weights files exist is learned by asking for each ({@code EntryNotFound} = absent). Blobs that
 * are already cached are not downloaded again; those that are not must all arrive within one
 * {@link DownloadBudget} for their total size. The snapshot links and {@code refs/{revision}} are written only once
 * every blob is in place, and a failed download removes what it added, so the cache is left as it was (the lock
 * files in {@code .locks/} stay, as huggingface_hub leaves them).
 */
public final class ModelDownloader implements AutoCloseable {
    /** A model in the cache: the snapshot folder of {@code commit} and the files of interest it has. */
    public record Snapshot(RepoId repo, String revision, String commit, Path folder, List<String> files,
                           long bytesDownloaded, Optional<String> warning) {}

    private final HubSettings settings;
    private final HubCache cache;
    private final HubClient.Options options;
    private HubClient client;

    public ModelDownloader(HubSettings settings) {
        this(settings, HubClient.Options.DEFAULT);
    }

    public ModelDownloader(HubSettings settings, HubClient.Options options) {
        this.settings = settings;
        this.options = options;
        this.cache = new HubCache(settings);
    }

    public HubCache cache() {
        return cache;
    }

    /** The complete snapshot a revision stands for in the cache, if there is one; makes no request. */
    public Optional<Snapshot> cached(RepoId repo, String revision) {
        return cached(repo, revision, modelPlan());
    }

    private Optional<Snapshot> cached(RepoId repo, String revision, Plan plan) {
        return cache.commitOf(repo, revision).map(commit -> cache.snapshotDir(repo, commit))
                .filter(plan::complete)
                .map(dir -> new Snapshot(repo, revision, dir.getFileName().toString(), dir, plan.present(dir), 0, Optional.empty()));
    }

    /**
     * Which files of a repository a download takes: {@link #files} asks the Hub (the first file's commit is the one
     * all are taken at); {@link #complete} says whether a snapshot folder has them all.
     */
    private interface Plan {
        List<FileMetadata> files(HubClient c, RepoId repo, String revision);

        boolean complete(Path snapshot);

        List<String> present(Path snapshot);
    }

    private Plan modelPlan() {
        return new Plan() {
            @Override
            public List<FileMetadata> files(HubClient c, RepoId repo, String revision) {
                return plan(c, repo, revision);
            }

            @Override
            public boolean complete(Path snapshot) {
                return ModelFiles.complete(snapshot);
            }

            @Override
            public List<String> present(Path snapshot) {
                return ModelFiles.present(snapshot);
            }
        };
    }

    /**
     * The files of one folder of a repository (an SAE's {@code cfg.json} and weights, say), from the cache if they are
     * there (no request at all), else downloaded, as {@link #resolve} does for a model. {@code required} come first; a
     * missing one is an error naming it, a missing {@code optional} one is left out.
     */
    public Snapshot resolveFolder(RepoId repo, String revision, String folder, List<String> required, List<String> optional, Progress progress) {
        Plan plan = new Plan() {
            @Override
            public List<FileMetadata> files(HubClient c, RepoId r, String rev) {
                List<FileMetadata> out = new ArrayList<>();
                for (String f : required) {
                    String path = folder + "/" + f;
                    try {
                        out.add(c.head(r, out.isEmpty() ? rev : out.get(0).commit(), path));
                    } catch (HubException e) {
                        if (e.kind() == Kind.ENTRY_NOT_FOUND) {
                            throw new HubException(Kind.ENTRY_NOT_FOUND, r + "@" + rev + " on " + settings.endpoint() + " has no " + path, e);
                        }
                        throw e;
                    }
                }
                for (String f : optional) optional(c, r, out.get(0).commit(), folder + "/" + f).ifPresent(out::add);
                return out;
            }

            @Override
            public boolean complete(Path snapshot) {
                return required.stream().allMatch(f -> Files.isRegularFile(snapshot.resolve(folder).resolve(f)));
            }

            @Override
            public List<String> present(Path snapshot) {
                List<String> out = new ArrayList<>();
                for (String f : required) out.add(folder + "/" + f);
                for (String f : optional) if (Files.isRegularFile(snapshot.resolve(folder).resolve(f))) out.add(folder + "/" + f);
                return out;
            }
        };
        return resolve(repo, revision, progress, plan);
    }

    /**
     * The model from the cache if it is there (no request at all), else downloaded; offline, only the cache. This is
     * what {@code --model} does.
     */
    public Snapshot resolve(RepoId repo, String revision, Progress progress) {
        return resolve(repo, revision, progress, modelPlan());
    }

    private Snapshot resolve(RepoId repo, String revision, Progress progress, Plan plan) {
        Optional<Snapshot> hit = cached(repo, revision, plan);
        if (hit.isPresent()) return hit.get();
        if (settings.offline()) throw offlineNotCached(repo, revision);
        try {
            return fetch(repo, revision, progress, plan);
        } catch (HubException e) {
            if (e.kind() == Kind.UNREACHABLE) {
                throw new HubException(Kind.UNREACHABLE, e.getMessage() + "; " + repo + "@" + revision
                        + " is not in the Hugging Face cache at " + cache.root() + " either", e);
            }
            throw e;
        }
    }

    /**
     * Asks the Hub what the revision is now and downloads what the cache lacks. If the Hub cannot be reached but the
     * cache has the revision, that is returned with a warning; offline, only the cache. This is {@code jlens download}.
     */
    public Snapshot download(RepoId repo, String revision, Progress progress) {
        if (settings.offline()) return cached(repo, revision).orElseThrow(() -> offlineNotCached(repo, revision));
        try {
            return fetch(repo, revision, progress, modelPlan());
        } catch (HubException e) {
            if (e.kind() != Kind.UNREACHABLE) throw e;
            Optional<Snapshot> hit = cached(repo, revision);
            if (hit.isEmpty()) {
                throw new HubException(Kind.UNREACHABLE, e.getMessage() + "; " + repo + "@" + revision
                        + " is not in the Hugging Face cache at " + cache.root() + " either", e);
            }
            Snapshot s = hit.get();
            return new Snapshot(s.repo(), s.revision(), s.commit(), s.folder(), s.files(), 0,
                    Optional.of(e.getMessage() + "; using the cached snapshot " + s.commit()));
        }
    }

    private HubException offlineNotCached(RepoId repo, String revision) {
        return new HubException(Kind.OFFLINE_NOT_CACHED, "HF_HUB_OFFLINE is set and " + repo + "@" + revision
                + " is not in the Hugging Face cache at " + cache.root() + "; unset HF_HUB_OFFLINE to download it, or pass a local folder");
    }

    private HubClient client() {
        if (client == null) client = new HubClient(settings, options);
        return client;
    }

    private Snapshot fetch(RepoId repo, String revision, Progress progress, Plan plan) {
        Revision.check(revision);
        List<FileMetadata> files = plan.files(client(), repo, revision);
        String commit = files.get(0).commit();
        Rollback rollback = new Rollback(cache, repo, commit);
        try {
            long total = 0;
            for (FileMetadata f : files) if (!blobComplete(f)) total += f.size();
            long[] done = {0};
            long grandTotal = total;
            progress.update(0, grandTotal);
            DownloadBudget.Deadline deadline = settings.downloadBudget().startNow(grandTotal);
            for (FileMetadata f : files) {
                if (blobComplete(f)) continue;
                long base = done[0];
                if (BlobDownload.ensure(client(), cache, f, pos -> progress.update(base + pos, grandTotal), deadline)) {
                    rollback.blobs.add(f.etag());
                }
                done[0] = base + f.size();
                progress.update(done[0], grandTotal);
            }
            for (FileMetadata f : files) {
                if (cache.link(repo, commit, f.file(), f.etag())) rollback.links.add(f.file());
            }
            cache.writeRef(repo, revision, commit);
            Path folder = cache.snapshotDir(repo, commit);
            return new Snapshot(repo, revision, commit, folder, files.stream().map(FileMetadata::file).toList(), grandTotal, Optional.empty());
        } catch (IOException e) {
            rollback.run();
            throw new HubException(Kind.CACHE, "cannot write " + repo + " into the Hugging Face cache at " + cache.root() + ": " + HubClient.describe(e), e);
        } catch (RuntimeException | Error e) {
            rollback.run();
            throw e;
        }
    }

    private boolean blobComplete(FileMetadata f) {
        Path blob = cache.blob(f.repo(), f.etag());
        try {
            return Files.isRegularFile(blob) && Files.size(blob) == f.size();
        } catch (IOException e) {
            return false;
        }
    }

    /** The files to fetch, config.json first (its commit is the one all others are asked for at). */
    private List<FileMetadata> plan(HubClient c, RepoId repo, String revision) {
        FileMetadata config;
        try {
            config = c.head(repo, revision, ModelFiles.CONFIG);
        } catch (HubException e) {
            if (e.kind() == Kind.ENTRY_NOT_FOUND) {
                throw new HubException(Kind.ENTRY_NOT_FOUND, repo + " has no config.json at revision " + revision + " on "
                        + settings.endpoint() + "; jlens needs a GPT-2 repository in the transformers layout", e);
            }
            throw e;
        }
        String commit = config.commit();
        List<FileMetadata> out = new ArrayList<>();
        out.add(config);
        for (String f : ModelFiles.TOKENIZER) optional(c, repo, commit, f).ifPresent(out::add);
        boolean vocabAndMerges = out.stream().anyMatch(m -> m.file().equals("vocab.json")) && out.stream().anyMatch(m -> m.file().equals("merges.txt"));
        boolean tokenizerJson = out.stream().anyMatch(m -> m.file().equals("tokenizer.json"));
        if (!vocabAndMerges && !tokenizerJson) {
            throw new HubException(Kind.ENTRY_NOT_FOUND, repo + "@" + revision + " on " + settings.endpoint()
                    + " has neither vocab.json + merges.txt nor tokenizer.json; jlens needs a GPT-2 tokenizer");
        }
        Optional<FileMetadata> weights = Optional.empty();
        for (String w : ModelFiles.WEIGHTS) {
            weights = optional(c, repo, commit, w);
            if (weights.isPresent()) break;
        }
        out.add(weights.orElseThrow(() -> new HubException(Kind.ENTRY_NOT_FOUND, repo + "@" + revision + " on " + settings.endpoint()
                + " has neither model.safetensors nor pytorch_model.bin")));
        return out;
    }

    private static Optional<FileMetadata> optional(HubClient c, RepoId repo, String commit, String file) {
        try {
            return Optional.of(c.head(repo, commit, file));
        } catch (HubException e) {
            if (e.kind() == Kind.ENTRY_NOT_FOUND) return Optional.empty();
            throw e;
        }
    }

    /** Undoes what a failed download added: its links, the blobs no snapshot links to, the folders it made. */
    private static final class Rollback {
        final HubCache cache;
        final RepoId repo;
        final String commit;
        final List<String> blobs = new ArrayList<>();
        final List<String> links = new ArrayList<>();
        final List<Path> newDirs = new ArrayList<>();

        Rollback(HubCache cache, RepoId repo, String commit) {
            this.cache = cache;
            this.repo = repo;
            this.commit = commit;
            Path repoDir = cache.repoDir(repo);
            // Deepest first, so that removing them in order leaves no empty folder behind.
            for (Path p : List.of(cache.snapshotDir(repo, commit), repoDir.resolve("snapshots"), repoDir.resolve("refs"),
                    repoDir.resolve("blobs"), repoDir)) {
                if (!Files.exists(p)) newDirs.add(p);
            }
        }

        void run() {
            for (String f : links) {
                try {
                    Files.deleteIfExists(cache.snapshotFile(repo, commit, f));
                } catch (IOException | RuntimeException ignored) {
                    // best effort: what stays is a correct link to a complete blob
                }
            }
            for (String etag : blobs) removeIfUnlinked(etag);
            for (Path d : newDirs) {
                try (Stream<Path> s = Files.exists(d) ? Files.list(d) : Stream.empty()) {
                    if (Files.exists(d) && s.findAny().isEmpty()) Files.delete(d);
                } catch (IOException | RuntimeException ignored) {
                    // not empty (another process is using it) or gone: leave it
                }
            }
        }

        /** Deletes a blob this download added unless a snapshot (of another process, meanwhile) links to it. */
        private void removeIfUnlinked(String etag) {
            Path blob = cache.blob(repo, etag);
            try {
                BlobDownload.underLock(cache, repo, etag, () -> {
                    if (!linked(blob)) Files.deleteIfExists(blob);
                    return null;
                });
            } catch (IOException | RuntimeException ignored) {
                // best effort: a complete, verified blob that stays does no harm
            }
        }

        private boolean linked(Path blob) throws IOException {
            Path snapshots = cache.repoDir(repo).resolve("snapshots");
            if (!Files.isDirectory(snapshots)) return false;
            try (Stream<Path> s = Files.walk(snapshots)) {
                return s.filter(Files::isSymbolicLink).anyMatch(l -> {
                    try {
                        return Files.exists(l) && Files.isSameFile(l, blob);
                    } catch (IOException e) {
                        return true;
                    }
                });
            }
        }
    }

    @Override
    public void close() {
        if (client != null) client.close();
    }
}
