package dev.jlens.cli;

import dev.jlens.hub.HubSettings;
import dev.jlens.hub.ModelDownloader;
import dev.jlens.hub.RepoId;
import dev.jlens.hub.ModelRegistry;
import picocli.CommandLine.Command;

import java.util.ArrayList;
import java.util.List;

/** {@code jlens models}: the known models, their aliases, repository, size, and whether they are cached. */
@Command(name = "models", mixinStandardHelpOptions = true, description = "List the known models: aliases, Hugging Face repository, download size, "
        + "and whether (and where) they are in the Hugging Face cache.")
final class ModelsCommand extends JlensSubcommand implements Runnable {
    @Override
    public void run() {
        HubSettings hub = HubSettings.fromEnvironment(streams().env());
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "ALIASES", "REPO", "SIZE", "CACHED"});
        try (ModelDownloader downloader = new ModelDownloader(hub)) {
            for (ModelRegistry.KnownModel m : ModelRegistry.all()) {
                List<String> aliases = ModelRegistry.aliasesOf(m.officialName());
                String cached = downloader.cached(RepoId.parse(m.repoId()), hub.revision())
                        .map(s -> "yes " + s.folder()).orElse("no");
                rows.add(new String[] {m.officialName(), aliases.isEmpty() ? "-" : String.join(", ", aliases), m.repoId(),
                        ProgressBar.bytes(m.approxBytes()), cached});
            }
        }
        int[] width = new int[5];
        for (String[] r : rows) for (int i = 0; i < r.length; i++) width[i] = Math.max(width[i], r[i].length());
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                line.append(r[i]);
                if (i < r.length - 1) line.append(" ".repeat(width[i] - r[i].length() + 2));
            }
            streams().out().println(line.toString().stripTrailing());
        }
    }
}
