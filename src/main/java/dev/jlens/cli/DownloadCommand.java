package dev.jlens.cli;

import dev.jlens.hub.HubSettings;
import dev.jlens.hub.ModelDownloader;
import dev.jlens.hub.ModelSources;
import dev.jlens.util.Text;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jlens download NAME}: a model from the Hub into the Hugging Face cache; prints its snapshot folder. */
@Command(name = "download", mixinStandardHelpOptions = true, description = "Download a model from the Hugging Face Hub into the Hugging Face cache "
        + "(resumed if cut, checked against its sha256) and print its snapshot folder.")
final class DownloadCommand extends JlensSubcommand implements Runnable {
    @Parameters(paramLabel = "NAME", description = "A known name or alias (gpt2-small, ...) or a repo id (org/name), optionally NAME@REVISION.")
    String name;

    @Option(names = "--revision", paramLabel = "R", description = "Branch, tag or commit (default: main).")
    String revision;

    @Override
    public void run() {
        Main.Streams streams = streams();
        ModelSources.HubModel m = ModelSources.requireHubModel(name);
        HubSettings hub = ModelOption.hub(streams, name, revision);
        try (ModelDownloader downloader = new ModelDownloader(hub); ProgressBar bar = ProgressBar.forStreams(streams, m.repo().id())) {
            ModelDownloader.Snapshot s = downloader.download(m.repo(), m.revisionOr(hub.revision()), bar);
            bar.finish();
            s.warning().ifPresent(w -> streams.err().println("jlens: warning: " + Text.oneLine(w)));
            streams.out().println(s.folder());
        }
    }
}
