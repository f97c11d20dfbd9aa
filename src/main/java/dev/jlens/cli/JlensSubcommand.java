package dev.jlens.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A command below {@code jlens}: it finds the program's streams through the root command whatever its depth
 * ({@code jlens cache}, {@code jlens sae features}), so it needs no field typed for its parent.
 */
abstract class JlensSubcommand {
    @Spec
    CommandSpec spec;

    /** The program's standard streams and environment. */
    final Main.Streams streams() {
        return ((JlensCommand) spec.root().userObject()).streams;
    }
}
