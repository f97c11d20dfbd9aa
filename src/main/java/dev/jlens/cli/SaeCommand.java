package dev.jlens.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code jlens sae}: sparse autoencoders in SAELens' layout. */
@Command(name = "sae", mixinStandardHelpOptions = true, description = "Sparse autoencoders (SAELens' layout): describe one, read its features on a prompt, steer or ablate one.",
        subcommands = {SaeInfoCommand.class, SaeFeaturesCommand.class, SaeLogitEffectsCommand.class, SaeSteerCommand.class, SaeDashboardCommand.class})
final class SaeCommand implements Runnable {
    @ParentCommand
    JlensCommand parent;

    @Override
    public void run() {
        parent.spec.subcommands().get("sae").usage(parent.streams.out());
    }
}
